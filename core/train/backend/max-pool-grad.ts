/**
 * The gradient of max pooling for the wasm backend. The backend's own MaxPoolGrad costs about as
 * much as a convolution's gradient; this one (wasm/train/pool-grad.ts) does a single pass over the
 * windows: each output's gradient goes to the first largest input of its window (row-major scan,
 * the cpu backend's rule).
 */
import {
  backend_util,
  MaxPoolGrad,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { geometry, ptr, trainKernels } from './train-wasm-runtime';

interface Attrs {
  filterSize: [number, number] | number;
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/** dx [N, H, W, C] from dy [N, outH, outW, C] and the pooled input x [N, H, W, C]. */
export function maxPoolGradImpl(args: {
  inputs: { dy: TensorInfo; input: TensorInfo; output: TensorInfo };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs;
  const info = backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode
  );
  const dx = backend.makeOutput(input.shape, 'float32');
  (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  const k = trainKernels(backend);
  const g = info;
  if (
    g.filterHeight === 2 &&
    g.filterWidth === 2 &&
    g.strideHeight === 2 &&
    g.strideWidth === 2 &&
    g.padInfo.top === 0 &&
    g.padInfo.left === 0 &&
    2 * g.outHeight <= g.inHeight &&
    2 * g.outWidth <= g.inWidth
  ) {
    // Non-overlapping windows inside the input: the SIMD kernel.
    k.maxPoolGrad2x2(
      ptr(backend, input),
      ptr(backend, dy),
      ptr(backend, dx),
      ...geometry(info).slice(0, 6)
    );
    return dx;
  }
  k.maxPoolGrad(ptr(backend, input), ptr(backend, dy), ptr(backend, dx), ...geometry(info));
  return dx;
}

export const maxPoolGradConfig: KernelConfig = {
  kernelName: MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: maxPoolGradImpl as unknown as KernelFunc
};
