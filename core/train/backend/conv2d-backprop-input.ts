/**
 * The gradient of a 2-D convolution with respect to its input, for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 has this kernel, but as a direct loop it takes ~14× the time of the
 * forward convolution. Lowered to one row-major matrix product on the wasm backend's (XNNPACK)
 * BatchMatMul, dcols = dy · Wᵀ, followed by col2im (the scatter-add inverse of im2col, in
 * wasm/train/im2col.ts), it runs at about the speed of the forward pass.
 */
import {
  backend_util,
  Conv2DBackpropInput,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { callKernel } from './conv2d-backprop-filter';
import { geometry, ptr, trainKernels } from './train-wasm-runtime';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/** dx [N, H, W, inC] from dy [N, outH, outW, outC] and filter [kh, kw, inC, outC]; NHWC float32. */
export function conv2dBackpropInputImpl(args: {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs;
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropInput (wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    attrs.inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast'
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const rowLength = info.filterHeight * info.filterWidth * info.inChannels;
  const w2 = callKernel('Reshape', {
    inputs: { x: filter },
    backend,
    attrs: { shape: [rowLength, info.outChannels] }
  });
  const wT = callKernel('Transpose', { inputs: { x: w2 }, backend, attrs: { perm: [1, 0] } });
  backend.disposeData(w2.dataId);
  const dy2 = callKernel('Reshape', {
    inputs: { x: dy },
    backend,
    attrs: { shape: [rows, info.outChannels] }
  });
  const dcols = callKernel('BatchMatMul', {
    inputs: { a: dy2, b: wT },
    backend,
    attrs: { transposeA: false, transposeB: false }
  });
  backend.disposeData(dy2.dataId);
  backend.disposeData(wT.dataId);
  const dx = backend.makeOutput(attrs.inputShape, 'float32');
  (backend.typedArrayFromHeap(dx) as Float32Array).fill(0);
  trainKernels(backend).col2im(ptr(backend, dcols), ptr(backend, dx), ...geometry(info));
  backend.disposeData(dcols.dataId);
  return dx;
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputImpl as unknown as KernelFunc
};
