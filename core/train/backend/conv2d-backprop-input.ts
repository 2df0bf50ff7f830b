/**
 * The gradient of a 2-D convolution with respect to its input, for the wasm backend.
 *
 * tfjs-backend-wasm 4.22 has this kernel, but as a direct loop it takes ~14× the time of the
 * forward convolution. Lowered to one row-major matrix product on the wasm backend's (XNNPACK)
 * BatchMatMul, dcols = dy · Wᵀ, followed by col2im (the scatter-add inverse of im2col), it runs
 * at about the speed of the forward pass.
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

interface Attrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: [number, number, number, number];
}

/**
 * Adds every row of `cols` ([N·outH·outW, kh·kw·inC]) back onto the input positions it was read
 * from; `dx` ([N, H, W, inC]) must start zeroed. Padding positions are dropped.
 */
export function col2im(cols: Float32Array, dx: Float32Array, info: backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowLength = filterHeight * filterWidth * inChannels;
  let row = 0;
  for (let n = 0; n < batchSize; n++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let ow = 0; ow < outWidth; ow++, row++) {
        let src = row * rowLength;
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = oh * strideHeight - top + kh;
          for (let kw = 0; kw < filterWidth; kw++, src += inChannels) {
            const iw = ow * strideWidth - left + kw;
            if (ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth) continue;
            const dst = ((n * inHeight + ih) * inWidth + iw) * inChannels;
            for (let c = 0; c < inChannels; c++) dx[dst + c] += cols[src + c];
          }
        }
      }
    }
  }
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
  const dxValues = backend.typedArrayFromHeap(dx) as Float32Array;
  dxValues.fill(0);
  col2im(backend.typedArrayFromHeap(dcols) as Float32Array, dxValues, info);
  backend.disposeData(dcols.dataId);
  return dx;
}

export const conv2dBackpropInputConfig: KernelConfig = {
  kernelName: Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: conv2dBackpropInputImpl as unknown as KernelFunc
};
