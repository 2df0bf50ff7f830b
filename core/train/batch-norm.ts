import * as tf from '@tensorflow/tfjs-core';
import { FUSED, hasFusedKernel } from '../util/fused-kernels';

export interface BatchNormTrainingResult {
  /** Normalized, scaled and shifted x, x's shape. */
  y: tf.Tensor;
  /** [C], the batch's mean per channel. */
  mean: tf.Tensor;
  /** [C], the batch's biased variance per channel (mean of squared deviations). */
  variance: tf.Tensor;
}

/**
 * Batch normalization in training mode (Ioffe & Szegedy 2015): x [..., C] float32 is normalized
 * per channel with the batch's own moments over every other axis, y = (x − mean)·γ/√(var + ε) + β;
 * gamma and beta are [C]. Gradients flow to x, gamma and beta, through the moments as well.
 * Runs as one fused backend kernel where there is one (core/train/backend/batch-norm-kernel.ts);
 * the composition of broadcasting tf ops below is the reference. It avoids tf.batchNorm, whose
 * gradient tiles the statistics to the full activation shape.
 */
export function batchNormTraining(
  x: tf.Tensor,
  gamma: tf.Tensor,
  beta: tf.Tensor,
  epsilon: number
): BatchNormTrainingResult {
  if (hasFusedKernel(FUSED.batchNormTraining)) {
    const [y, mean, variance] = tf
      .engine()
      .runKernel(FUSED.batchNormTraining, { x, gamma, beta }, { epsilon }) as tf.Tensor[];
    return { y, mean, variance };
  }
  const axes = Array.from({ length: x.rank - 1 }, (_, i) => i);
  const mean = tf.mean(x, axes);
  const centered = tf.sub(x, mean);
  const variance = tf.mean(tf.square(centered), axes);
  const scale = tf.mul(tf.rsqrt(tf.add(variance, epsilon)), gamma);
  return { y: tf.add(tf.mul(centered, scale), beta), mean, variance };
}
