/**
 * Calibration: re-estimates the running statistics a served model uses — batch-norm moving mean
 * and variance, the activation quantizers' ranges and the input quantizer's range — from data,
 * with the network's current weights.
 *
 * Why: during training these follow exponential moving averages (momentum 0.9–0.99) of batch
 * statistics taken while the weights were still changing. After a few dozen steps — a first
 * project's whole run — they still remember the random initial network, and the saved model
 * computes something other than what the last training steps did (issue #14: loss 0.04 in
 * training, mean confidence 0.52–0.82 served). Recomputing them once the weights are final is the
 * "precise batch norm" remedy (Wu & Johnson, "Rethinking 'Batch' in BatchNorm", 2021), done here
 * layer by layer in inference mode so every statistic sees the already-calibrated layers below
 * it, exactly as the served model will.
 *
 * Estimates (over the calibration examples, in batches of the training batch size):
 * - batch norm: population mean and (biased) variance of its input per channel;
 * - relu / avgpool / gap ranges: the mean of the per-batch maxima (what the training EMA tracks);
 * - input range: the means of the per-batch minima and maxima.
 * Ranges are recorded for float (32-bit) activations and inputs too — there the overall minimum
 * and maximum, since training never clipped them — so that a float model can be served by the
 * integer engine at 8 bits. k-WTA duty cycles are left as training set them, and so are the
 * statistics of frozen layers (a base's layers under a fine-tuned head keep the base's).
 */
import * as tf from '@tensorflow/tfjs-core';
import { FLOAT_BITS } from '../spec/model-spec';
import { createRng, shuffleInPlace } from '../util/rng';
import type { Examples } from './dataset';
import { activationValue, hasActivationRange, inputForward, layerForward } from './forward';
import { isTrainedLayer, type Network } from './network';

export interface CalibrationOptions {
  /** Examples per batch (default 32: the training batch size, for the range maxima). */
  batchSize: number;
  /** At most this many examples are used, a seeded sample of them (default 512). */
  maxExamples: number;
  seed: number;
}

/**
 * Average pooling outputs are averages of codes, so their maximum over the data is a lattice
 * value: with the step derived from it, other averages land exactly on half steps, where float32
 * training and the exact integer engine round differently (measured: 0.8 % of global-pooling
 * codes on a tiny 3-bit model). A margin of √2/1024 moves the step off that lattice.
 */
const AVERAGE_RANGE_MARGIN = 1 + Math.SQRT2 / 1024;

const DEFAULTS: CalibrationOptions = { batchSize: 32, maxExamples: 512, seed: 1 };

function batchIndices(count: number, o: CalibrationOptions): number[][] {
  let order = Array.from({ length: count }, (_, i) => i);
  if (count > o.maxExamples) {
    order = (shuffleInPlace(order, createRng(o.seed ^ 0x5eed)) as number[])
      .slice(0, o.maxExamples)
      .sort((a, b) => a - b);
  }
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += o.batchSize) out.push(order.slice(i, i + o.batchSize));
  return out;
}

function scalar(t: tf.Tensor): number {
  const v = t.dataSync()[0];
  t.dispose();
  return v;
}

/**
 * A per-batch scalar statistic of `fn(h)` over all batches: their mean (batches weighted
 * equally), or with `extreme` their maximum (`sign` 1) or minimum (`sign` −1).
 */
function overBatches(
  hs: tf.Tensor[],
  fn: (h: tf.Tensor) => tf.Tensor,
  extreme: boolean,
  sign = 1
): number {
  const values = hs.map((h) => scalar(tf.tidy(() => fn(h))));
  if (extreme) return sign * Math.max(...values.map((v) => sign * v));
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Per-channel population mean and biased variance of `hs` (channel last), in float64. */
function channelMoments(hs: tf.Tensor[]): { mean: Float64Array; variance: Float64Array } {
  const channels = hs[0].shape[hs[0].rank - 1];
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  let n = 0;
  for (const h of hs) {
    const [s, q] = tf.tidy(() => {
      const flat = tf.reshape(h, [-1, channels]);
      return [tf.sum(flat, 0), tf.sum(tf.square(flat), 0)];
    });
    const sv = s.dataSync();
    const qv = q.dataSync();
    for (let c = 0; c < channels; c++) {
      sum[c] += sv[c];
      sq[c] += qv[c];
    }
    n += h.size / channels;
    s.dispose();
    q.dispose();
  }
  const mean = Float64Array.from(sum, (v) => v / n);
  const variance = Float64Array.from(sq, (v, c) => Math.max(0, v / n - mean[c] * mean[c]));
  return { mean, variance };
}

/**
 * Sets `net`'s running statistics from `data` as described above. Leaves weights untouched and
 * every tensor disposed. No-op for an empty data set.
 */
export function calibrate(
  net: Network,
  data: Examples,
  options: Partial<CalibrationOptions> = {}
): void {
  const o = { ...DEFAULTS, ...options };
  if (data.count === 0) return;
  const per = data.shape[0] * data.shape[1] * data.shape[2];
  let hs: tf.Tensor[] = batchIndices(data.count, o).map((idx) => {
    const x = new Float32Array(idx.length * per);
    idx.forEach((src, i) => x.set(data.x.subarray(src * per, (src + 1) * per), i * per));
    return tf.tensor4d(x, [idx.length, ...data.shape]);
  });
  const step = (fn: (h: tf.Tensor) => tf.Tensor): void => {
    const next = hs.map((h) => tf.tidy(() => fn(h)));
    // A layer may hand its input through unchanged (float input, k-WTA keeping everything).
    hs.forEach((h, i) => h !== next[i] && h.dispose());
    hs = next;
  };
  try {
    const floatInput = net.model.inputBits === FLOAT_BITS;
    const start = net.startLayer ?? 0;
    if (start === 0 && (isTrainedLayer(net, 0) || !net.stats.inputRange)) {
      net.stats.inputRange = [
        overBatches(hs, (h) => tf.min(h), floatInput, -1),
        overBatches(hs, (h) => tf.max(h), floatInput)
      ];
    }
    if (start === 0) step((h) => inputForward(net, h, false));
    for (const layer of net.model.layers) {
      if (layer.index < start) continue;
      const p = net.params[layer.name];
      if (!isTrainedLayer(net, layer.index)) {
        // Frozen: stored statistics are kept.
      } else if (layer.spec.type === 'batchnorm' && p?.movingMean && p.movingVariance) {
        const { mean, variance } = channelMoments(hs);
        tf.tidy(() => {
          p.movingMean!.assign(tf.tensor1d(Float32Array.from(mean)));
          p.movingVariance!.assign(tf.tensor1d(Float32Array.from(variance)));
        });
      } else if (hasActivationRange(layer)) {
        const float = (layer.actBits ?? FLOAT_BITS) === FLOAT_BITS;
        const averaged = layer.spec.type !== 'relu';
        net.stats.actMax[layer.name] =
          overBatches(hs, (h) => tf.max(activationValue(layer, h)), float) *
          (averaged ? AVERAGE_RANGE_MARGIN : 1);
      }
      step((h) => layerForward(net, layer, h, false));
    }
  } finally {
    for (const h of hs) h.dispose();
  }
}
