/**
 * Batch normalization in training mode as one wasm kernel forward and one backward
 * (wasm/train/batch-norm.ts). The reference (core/train/batch-norm.ts) is seven broadcasting tf ops
 * whose gradient reduces over N·H·W through transposes and a host-built tensor of ones; together
 * they cost about a quarter of a training step.
 */
import {
  engine,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type Tensor,
  type TensorInfo,
  util
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FUSED } from '../../util/fused-kernels';
import { ptr, trainKernels, withScratch } from './train-wasm-runtime';

interface Attrs {
  epsilon: number;
}

function rowsAndChannels(t: TensorInfo): [number, number] {
  const channels = t.shape[t.shape.length - 1];
  return [util.sizeFromShape(t.shape) / channels, channels];
}

/** x [..., C], gamma [C], beta [C] → [y of x's shape, batch mean [C], biased batch variance [C]]. */
export function batchNormTrainingImpl(args: {
  inputs: { x: TensorInfo; gamma: TensorInfo; beta: TensorInfo };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const [rows, channels] = rowsAndChannels(inputs.x);
  const y = backend.makeOutput(inputs.x.shape, 'float32');
  const mean = backend.makeOutput([channels], 'float32');
  const variance = backend.makeOutput([channels], 'float32');
  // Scratch: scale and block sums (float32), channel sums (float64).
  withScratch(backend, channels * 16, (at) =>
    trainKernels(backend).batchNormForward(
      ptr(backend, inputs.x),
      rows,
      channels,
      ptr(backend, inputs.gamma),
      ptr(backend, inputs.beta),
      attrs.epsilon,
      ptr(backend, y),
      ptr(backend, mean),
      ptr(backend, variance),
      at,
      at + channels * 4,
      at + channels * 8
    )
  );
  return [y, mean, variance];
}

/** dy, x [..., C], mean, variance, gamma [C] → [dx, dgamma, dbeta]. */
export function batchNormTrainingGradImpl(args: {
  inputs: {
    dy: TensorInfo;
    x: TensorInfo;
    mean: TensorInfo;
    variance: TensorInfo;
    gamma: TensorInfo;
  };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const [rows, channels] = rowsAndChannels(inputs.x);
  const dx = backend.makeOutput(inputs.x.shape, 'float32');
  const dgamma = backend.makeOutput([channels], 'float32');
  const dbeta = backend.makeOutput([channels], 'float32');
  // Scratch: three coefficient rows and block sums (float32), channel sums (float64).
  withScratch(backend, channels * 24, (at) =>
    trainKernels(backend).batchNormBackward(
      ptr(backend, inputs.dy),
      ptr(backend, inputs.x),
      rows,
      channels,
      ptr(backend, inputs.mean),
      ptr(backend, inputs.variance),
      ptr(backend, inputs.gamma),
      attrs.epsilon,
      ptr(backend, dx),
      ptr(backend, dgamma),
      ptr(backend, dbeta),
      at,
      at + channels * 12,
      at + channels * 16
    )
  );
  return [dx, dgamma, dbeta];
}

export const batchNormTrainingConfig: KernelConfig = {
  kernelName: FUSED.batchNormTraining,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingImpl as unknown as KernelFunc
};

export const batchNormTrainingGradConfig: KernelConfig = {
  kernelName: FUSED.batchNormTrainingGrad,
  backendName: 'wasm',
  kernelFunc: batchNormTrainingGradImpl as unknown as KernelFunc
};

/**
 * The gradient w.r.t. x, gamma and beta through y (the mean and variance outputs only feed the
 * moving averages, never the loss). All three come from one backward kernel, run once when the
 * tape reaches this node, before it asks for each input's gradient.
 */
export const batchNormTrainingGradient: GradConfig = {
  kernelName: FUSED.batchNormTraining,
  inputsToSave: ['x', 'gamma'],
  outputsToSave: [false, true, true],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[], attrs: NamedAttrMap) => {
    const [x, gamma, mean, variance] = saved;
    const [dx, dgamma, dbeta] = engine().runKernel(
      FUSED.batchNormTrainingGrad,
      { dy: (dy as Tensor[])[0], x, mean, variance, gamma },
      attrs
    ) as Tensor[];
    return { x: () => dx, gamma: () => dgamma, beta: () => dbeta };
  }
};
