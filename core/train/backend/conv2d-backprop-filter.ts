/**
 * The gradient of a 2-D convolution with respect to its filter, for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so `tf.grad` of any conv w.r.t.
 * its weights fails there, and the cpu backend's version is about 100× slower than wasm's forward
 * convolution. dW = im2col(x)ᵀ · dy is one matrix product with a long inner dimension (every
 * output position). Where the shapes allow, Quench's own blocked product computes it straight
 * from a zero-padded copy of x (wasm/train/filter-grad.ts); otherwise it runs on the wasm
 * backend's (XNNPACK) BatchMatMul with im2col(x)ᵀ built in the wasm heap (wasm/train/im2col.ts)
 * in that transposed layout, so the product comes out shaped [kh, kw, inC, outC]. (BatchMatMul
 * packs dy, its large operand, on every call, which cost as much as the product itself.)
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
import { geometry, heapBuffer, ptr, trainKernels, withScratch } from './train-wasm-runtime';

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
  if (rowLength % 3 === 0 && info.outChannels % 16 === 0)
    return directFilterGrad(x, dy, backend, info);
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

/**
 * dW by Quench's blocked product (wasm/train/filter-grad.ts) on a zero-padded copy of x, for
 * filters whose kh·kw·inC is a multiple of 3 and outC of 16 (every preset's convolutions).
 */
function directFilterGrad(
  x: TensorInfo,
  dy: TensorInfo,
  backend: BackendWasm,
  info: backend_util.Conv2DInfo
): TensorInfo {
  const { batchSize: n, inHeight, inWidth, inChannels: c, outHeight, outWidth } = info;
  const { filterHeight: fh, filterWidth: fw, strideHeight: sh, strideWidth: sw } = info;
  const { top, left } = info.padInfo;
  const hp = Math.max((outHeight - 1) * sh + fh, top + inHeight);
  const wp = Math.max((outWidth - 1) * sw + fw, left + inWidth);
  const k = fh * fw * c;
  const positions = n * outHeight * outWidth;
  const dw = backend.makeOutput([fh, fw, c, info.outChannels], 'float32');
  (backend.typedArrayFromHeap(dw) as Float32Array).fill(0);
  const padBytes = n * hp * wp * c * 4;
  withScratch(backend, padBytes + 4 * (k + positions) + 32, (at) => {
    const xp = at;
    const koff = (at + padBytes + 15) & ~15;
    const mbase = (koff + 4 * k + 15) & ~15;
    const kernels = trainKernels(backend);
    kernels.padCopy(ptr(backend, x), xp, n, inHeight, inWidth, c, hp, wp, top, left);
    const heap = new Int32Array(heapBuffer(backend));
    let i = koff >> 2;
    for (let r = 0; r < fh; r++)
      for (let q = 0; q < fw; q++)
        for (let ch = 0; ch < c; ch++) heap[i++] = ((r * wp + q) * c + ch) * 4;
    i = mbase >> 2;
    for (let b = 0; b < n; b++)
      for (let oh = 0; oh < outHeight; oh++)
        for (let ow = 0; ow < outWidth; ow++)
          heap[i++] = ((b * hp + oh * sh) * wp + ow * sw) * c * 4;
    // A chunk of dy small enough (32 KB) to stay in the L1 cache while a tile sweeps it.
    const chunk = Math.max(16, Math.floor(8192 / info.outChannels));
    kernels.filterGrad(
      xp,
      ptr(backend, dy),
      ptr(backend, dw),
      koff,
      mbase,
      positions,
      k,
      info.outChannels,
      chunk
    );
  });
  return dw;
}

export const conv2dBackpropFilterConfig: KernelConfig = {
  kernelName: Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropFilterImpl as unknown as KernelFunc
};
