/**
 * The gradient of a 2-D convolution with respect to its filter, for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so `tf.grad` of any conv w.r.t.
 * its weights fails there, and the cpu backend's version is about 100× slower than wasm's forward
 * convolution. This kernel lowers the gradient to one matrix product on the wasm backend's own
 * (XNNPACK) BatchMatMul: dW = im2col(x)ᵀ · dy, with im2col(x)ᵀ built in the wasm heap by
 * Quench's training module (wasm/train/im2col.ts). Built in that transposed layout so that the
 * product comes out already shaped [kh, kw, inC, outC] (no transposes).
 */
import {
  backend_util,
  Conv2DBackpropFilter,
  getKernel,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo
} from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { geometry, ptr, trainKernels } from './train-wasm-runtime';

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: [number, number, number, number];
}

export function callKernel(name: string, args: Parameters<KernelFunc>[0]): TensorInfo {
  const kernel = getKernel(name, 'wasm');
  if (!kernel) throw new Error(`the wasm backend has no ${name} kernel`);
  return kernel.kernelFunc(args) as TensorInfo;
}

/** dW [kh, kw, inC, outC] from x [N, H, W, inC] and dy [N, outH, outW, outC], NHWC, float32. */
export function conv2dBackpropFilterImpl(args: {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: Attrs;
}): TensorInfo {
  const { inputs, backend, attrs } = args;
  const { x, dy } = inputs;
  if (attrs.dataFormat !== 'NHWC') {
    throw new Error(`Conv2DBackpropFilter (wasm): only NHWC is supported, got ${attrs.dataFormat}`);
  }
  const info = backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    attrs.filterShape,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast'
  );
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const rowLength = info.filterHeight * info.filterWidth * info.inChannels;
  const colsT = backend.makeOutput([rowLength, rows], 'float32');
  trainKernels(backend).im2colTransposed(ptr(backend, x), ptr(backend, colsT), ...geometry(info));
  const dy2 = callKernel('Reshape', {
    inputs: { x: dy },
    backend,
    attrs: { shape: [rows, info.outChannels] }
  });
  const dw = callKernel('BatchMatMul', {
    inputs: { a: colsT, b: dy2 },
    backend,
    attrs: { transposeA: false, transposeB: false }
  });
  backend.disposeData(colsT.dataId);
  backend.disposeData(dy2.dataId);
  const out = callKernel('Reshape', {
    inputs: { x: dw },
    backend,
    attrs: { shape: attrs.filterShape }
  });
  backend.disposeData(dw.dataId);
  return out;
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterImpl as unknown as KernelFunc
};
