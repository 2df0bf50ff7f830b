/**
 * The gradient of a 2-D convolution with respect to its filter, for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 ships no Conv2DBackpropFilter kernel, so `tf.grad` of any conv w.r.t.
 * its weights fails there, and the cpu backend's version is about 100× slower than wasm's forward
 * convolution. This kernel lowers the gradient to one matrix product on the wasm backend's own
 * (XNNPACK) BatchMatMul: dW = im2col(x)ᵀ · dy, with im2col built directly in the wasm heap.
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

/**
 * Copies the receptive field of every output position of `x` ([N, H, W, inC], float32) into the
 * rows of `cols` ([N·outH·outW, kh·kw·inC]); positions in the padding are 0.
 */
export function im2col(x: Float32Array, cols: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowLength = filterHeight * filterWidth * inChannels;
  let row = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, row++) {
        let dst = row * rowLength;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - top + kh;
          for (let kw = 0; kw < filterWidth; kw++, dst += inChannels) {
            const iw = ow * strideWidth - left + kw;
            if (ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth) {
              for (let c = 0; c < inChannels; c++) cols[dst + c] = 0;
            } else {
              // A plain loop: subarray/set per pixel costs more than the copy for few channels.
              const src = ((n * inHeight + ih) * inWidth + iw) * inChannels;
              for (let c = 0; c < inChannels; c++) cols[dst + c] = x[src + c];
            }
          }
        }
      }
    }
  }
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
  const cols = backend.makeOutput([rows, rowLength], 'float32');
  // Views into the wasm heap are taken after the allocation, which may have grown the heap.
  im2col(
    backend.typedArrayFromHeap(x) as Float32Array,
    backend.typedArrayFromHeap(cols) as Float32Array,
    info
  );
  // dWᵀ = dyᵀ · cols. The wasm matmul is ~10× slower with a transposed operand than on plain
  // row-major inputs, so the (small) transposes are done explicitly instead.
  const dy2 = callKernel('Reshape', {
    inputs: { x: dy },
    backend,
    attrs: { shape: [rows, info.outChannels] }
  });
  const dyT = callKernel('Transpose', { inputs: { x: dy2 }, backend, attrs: { perm: [1, 0] } });
  backend.disposeData(dy2.dataId);
  const dwT = callKernel('BatchMatMul', {
    inputs: { a: dyT, b: cols },
    backend,
    attrs: { transposeA: false, transposeB: false }
  });
  backend.disposeData(cols.dataId);
  backend.disposeData(dyT.dataId);
  const dwT2 = callKernel('Reshape', {
    inputs: { x: dwT },
    backend,
    attrs: { shape: [info.outChannels, rowLength] }
  });
  backend.disposeData(dwT.dataId);
  const dw = callKernel('Transpose', { inputs: { x: dwT2 }, backend, attrs: { perm: [1, 0] } });
  backend.disposeData(dwT2.dataId);
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
