/**
 * k-WTA as one wasm kernel (wasm/train/kwta.ts) instead of a host-side mask: the reference
 * (core/sparsify/k-wta.ts) reads the activations back, ranks them in JavaScript and uploads a mask,
 * which cost more than every convolution of a step. Without boosting the k-th largest value is
 * found by counting, bit by bit, branch-free; with boosting by selection on float64 scores. Same
 * winners as the reference (ties to the lower channel, values ≤ 0 never win); the gradient passes
 * dy where the output is positive, which is exactly at the winners.
 */
import {
  engine,
  type GradConfig,
  type KernelConfig,
  type KernelFunc,
  type Tensor,
  type TensorInfo,
  util
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { FUSED } from '../../util/fused-kernels';
import { ptr, trainKernels, withScratch } from './train-wasm-runtime';

/** x [..., C] float32 (and boost [C]) → [y of x's shape, wins [C]]; attrs.k in [1, C). */
export function kwtaImpl(args: {
  inputs: { x: TensorInfo; boost?: TensorInfo };
  backend: BackendWasm;
  attrs: { k: number };
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, boost } = inputs;
  const channels = x.shape[x.shape.length - 1];
  const size = util.sizeFromShape(x.shape);
  const y = backend.makeOutput(x.shape, 'float32');
  const wins = backend.makeOutput([channels], 'float32');
  (backend.typedArrayFromHeap(wins) as Float32Array).fill(0);
  const k = trainKernels(backend);
  if (!boost) {
    k.kwtaCount(
      ptr(backend, x),
      size / channels,
      channels,
      attrs.k,
      ptr(backend, y),
      ptr(backend, wins)
    );
  } else {
    withScratch(backend, channels * 8, (scratch) =>
      k.kwtaBoosted(
        ptr(backend, x),
        size / channels,
        channels,
        attrs.k,
        ptr(backend, boost),
        scratch,
        ptr(backend, y),
        ptr(backend, wins)
      )
    );
  }
  return [y, wins];
}

/** dx = dy where ref > 0, else 0; dy and ref of the same shape. */
export function passWherePositiveImpl(args: {
  inputs: { dy: TensorInfo; ref: TensorInfo };
  backend: BackendWasm;
}): TensorInfo {
  const { inputs, backend } = args;
  const dx = backend.makeOutput(inputs.dy.shape, 'float32');
  const size = util.sizeFromShape(inputs.dy.shape);
  trainKernels(backend).passWherePositive(
    ptr(backend, inputs.dy),
    ptr(backend, inputs.ref),
    size,
    ptr(backend, dx)
  );
  return dx;
}

export const kwtaConfig: KernelConfig = {
  kernelName: FUSED.kwta,
  backendName: 'wasm',
  kernelFunc: kwtaImpl as unknown as KernelFunc
};

export const passWherePositiveConfig: KernelConfig = {
  kernelName: FUSED.passWherePositive,
  backendName: 'wasm',
  kernelFunc: passWherePositiveImpl as unknown as KernelFunc
};

export const kwtaGradient: GradConfig = {
  kernelName: FUSED.kwta,
  outputsToSave: [true, false],
  gradFunc: (dy: Tensor | Tensor[], saved: Tensor[]) => {
    const dys = dy as Tensor[];
    return {
      x: () => engine().runKernel(FUSED.passWherePositive, { dy: dys[0], ref: saved[0] }) as Tensor
    };
  }
};
