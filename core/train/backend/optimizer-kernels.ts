/**
 * Optimizer updates as one wasm kernel per variable (wasm/train/optimizers.ts): tfjs's Adam runs
 * about fourteen elementwise kernels per variable and momentum SGD four, each a dispatch and a
 * temporary. The same float32 operations in the same order, so the values are identical.
 */
import { util, type KernelConfig, type KernelFunc, type TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FUSED } from '../../util/fused-kernels';
import { ptr, trainKernels } from './train-wasm-runtime';

export interface AdamAttrs {
  beta1: number;
  beta2: number;
  /** 1 − β1ᵗ and 1 − β2ᵗ as tfjs holds them (float32). */
  oneMinusAccBeta1: number;
  oneMinusAccBeta2: number;
  epsilon: number;
  learningRate: number;
}

/** value, m, v, gradient (one shape) → [new value, new m, new v]. */
export function adamUpdateImpl(args: {
  inputs: { value: TensorInfo; m: TensorInfo; v: TensorInfo; gradient: TensorInfo };
  backend: BackendWasm;
  attrs: AdamAttrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const shape = inputs.value.shape;
  const out = [0, 1, 2].map(() => backend.makeOutput(shape, 'float32'));
  trainKernels(backend).adamUpdate(
    ptr(backend, inputs.value),
    ptr(backend, inputs.gradient),
    ptr(backend, inputs.m),
    ptr(backend, inputs.v),
    util.sizeFromShape(shape),
    attrs.beta1,
    1 - attrs.beta1,
    attrs.beta2,
    1 - attrs.beta2,
    attrs.oneMinusAccBeta1,
    attrs.oneMinusAccBeta2,
    attrs.epsilon,
    -attrs.learningRate,
    ...out.map((t) => ptr(backend, t))
  );
  return out;
}

/** value, accumulation, gradient → [new value, new accumulation]; attrs momentum, learningRate. */
export function momentumUpdateImpl(args: {
  inputs: { value: TensorInfo; accumulation: TensorInfo; gradient: TensorInfo };
  backend: BackendWasm;
  attrs: { momentum: number; learningRate: number };
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const shape = inputs.value.shape;
  const out = [0, 1].map(() => backend.makeOutput(shape, 'float32'));
  trainKernels(backend).momentumUpdate(
    ptr(backend, inputs.value),
    ptr(backend, inputs.gradient),
    ptr(backend, inputs.accumulation),
    util.sizeFromShape(shape),
    attrs.momentum,
    -attrs.learningRate,
    ...out.map((t) => ptr(backend, t))
  );
  return out;
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: FUSED.adamUpdate,
  backendName: 'wasm',
  kernelFunc: adamUpdateImpl as unknown as KernelFunc
};

export const momentumUpdateConfig: KernelConfig = {
  kernelName: FUSED.momentumUpdate,
  backendName: 'wasm',
  kernelFunc: momentumUpdateImpl as unknown as KernelFunc
};
