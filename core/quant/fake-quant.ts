import * as tf from '@tensorflow/tfjs-core';
import { affineParams } from './activation';
import { quantizeWeights } from './index';
import type { WeightQuantOptions } from './types';

type GradFn = (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor;
type UnaryCustom = (x: tf.Tensor, save: tf.GradSaveFunc) => { value: tf.Tensor; gradFunc: GradFn };

/** tf.customGrad for a one-input op; its declared type takes variadic inputs. */
function customUnary(fn: UnaryCustom): (x: tf.Tensor) => tf.Tensor {
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]) as (
    x: tf.Tensor
  ) => tf.Tensor;
}

/**
 * Fake-quantized weights for training: the forward value is exactly what the JS quantizer (and
 * so the integer engine) produces for these weights; the backward pass is the straight-through
 * estimator (identity), so the float shadow weights keep learning. `w` is float32, output channel
 * last. The weights are read back synchronously, which is cheap for Quench's small layers.
 */
export function fakeQuantWeights(w: tf.Tensor, opts: WeightQuantOptions): tf.Tensor {
  const op = customUnary((x: tf.Tensor) => {
    const q = quantizeWeights(x.dataSync() as Float32Array, x.shape, opts);
    return { value: tf.tensor(q.values, x.shape), gradFunc: (dy: tf.Tensor) => dy };
  });
  return op(w);
}

/**
 * Uniform unsigned activation quantization in tf ops: round(clamp(x, 0, max)/step)·step,
 * step = max/(2^bits − 1). Clipped straight-through gradient: dy where 0 ≤ x ≤ max, else 0.
 * Any shape; float32.
 */
export function fakeQuantActivation(x: tf.Tensor, bits: number, max: number): tf.Tensor {
  const safeMax = max > 0 ? max : 1e-8;
  const step = safeMax / (2 ** bits - 1);
  const op = customUnary((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    const value = tf.mul(tf.round(tf.div(tf.clipByValue(input, 0, safeMax), step)), step);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const inside = tf.logicalAnd(tf.greaterEqual(saved[0], 0), tf.lessEqual(saved[0], safeMax));
        return tf.mul(dy, tf.cast(inside, 'float32'));
      }
    };
  });
  return op(x);
}

/**
 * Asymmetric input quantization in tf ops (see `affineParams`), with the clipped
 * straight-through gradient over the representable range. Any shape; float32.
 */
export function fakeQuantInput(x: tf.Tensor, bits: number, min: number, max: number): tf.Tensor {
  const p = affineParams(min, max, bits);
  const lo = -p.zeroPoint * p.scale;
  const hi = (p.maxCode - p.zeroPoint) * p.scale;
  const op = customUnary((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    const codes = tf.clipByValue(
      tf.add(tf.round(tf.div(input, p.scale)), p.zeroPoint),
      0,
      p.maxCode
    );
    const value = tf.mul(tf.sub(codes, p.zeroPoint), p.scale);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const inside = tf.logicalAnd(tf.greaterEqual(saved[0], lo), tf.lessEqual(saved[0], hi));
        return tf.mul(dy, tf.cast(inside, 'float32'));
      }
    };
  });
  return op(x);
}
