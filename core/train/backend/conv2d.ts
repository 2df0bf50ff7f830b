/**
 * 2-D convolution as the training code calls it. 'same' padding is resolved here into explicit
 * [top, bottom] / [left, right] amounts before it reaches the backend: tfjs-backend-wasm 4.22
 * hands 'same' to XNNPACK's TensorFlow-SAME mode, which returns wrong values for some stride-2
 * shapes (e.g. a 1×2 input under a 2×1 kernel; tfjs issue #6629 reports the depthwise case).
 * Explicit padding goes down the other path and matches the cpu backend everywhere we tested.
 */
import * as tf from '@tensorflow/tfjs-core';
import { backend_util } from '@tensorflow/tfjs-core';

export type ConvPadding = 'same' | 'valid';

export function conv2d(
  x: tf.Tensor4D,
  w: tf.Tensor4D,
  stride: number,
  padding: ConvPadding
): tf.Tensor4D {
  if (padding === 'valid') return tf.conv2d(x, w, stride, 'valid');
  const info = backend_util.computeConv2DInfo(
    x.shape,
    w.shape,
    stride,
    1,
    'same',
    undefined,
    false,
    'channelsLast'
  );
  const { top, bottom, left, right } = info.padInfo;
  return tf.conv2d(x, w, stride, [
    [0, 0],
    [top, bottom],
    [left, right],
    [0, 0]
  ]);
}
