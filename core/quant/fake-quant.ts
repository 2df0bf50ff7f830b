import * as tf from '@tensorflow/tfjs-core';
import { FUSED, hasFusedKernel } from '../util/fused-kernels';
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
 * 1 where lo ≤ x ≤ hi, else 0, as float32: the clipped straight-through gradient's mask. Built on
 * the host because the wasm backend's comparison kernels are several times slower than a loop.
 */
function insideMask(x: tf.Tensor, lo: number, hi: number): tf.Tensor {
  const v = x.dataSync();
  const m = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) m[i] = v[i] >= lo && v[i] <= hi ? 1 : 0;
  return tf.tensor(m, x.shape);
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
  if (hasFusedKernel(FUSED.fakeQuantUnsigned)) {
    // One backend kernel each way (core/train/backend/fake-quant-kernels.ts), same values.
    return tf
      .engine()
      .runKernel(FUSED.fakeQuantUnsigned, { x }, { max: safeMax, step }) as tf.Tensor;
  }
  const op = customUnary((input: tf.Tensor, save: tf.GradSaveFunc) => {
    save([input]);
    const value = tf.mul(tf.round(tf.div(tf.clipByValue(input, 0, safeMax), step)), step);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, insideMask(saved[0], 0, safeMax))
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
  if (hasFusedKernel(FUSED.fakeQuantAffine)) {
    const attrs = { scale: p.scale, zeroPoint: p.zeroPoint, maxCode: p.maxCode };
    return tf.engine().runKernel(FUSED.fakeQuantAffine, { x }, attrs) as tf.Tensor;
  }
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
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.mul(dy, insideMask(saved[0], lo, hi))
    };
  });
  return op(x);
}
