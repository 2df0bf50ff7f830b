import * as tf from '@tensorflow/tfjs-core';
import type { Examples } from './dataset';
import { forward } from './forward';
import type { Network } from './network';

export interface Evaluation {
  accuracy: number;
  /** Mean cross-entropy. */
  loss: number;
  /** Per-class recall, [classes]. */
  perClass: number[];
  /** confusion[true][predicted] counts. */
  confusion: number[][];
  /** Predicted class per example. */
  predictions: Int32Array;
}

/**
 * Class probabilities for every example, [count × classes] row-major, computed in batches with
 * inference-mode statistics (moving batch-norm stats, stored quantizer ranges).
 */
export function predictProbabilities(net: Network, d: Examples, batchSize = 256): Float32Array {
  const classes = net.model.numClasses;
  const out = new Float32Array(d.count * classes);
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  for (let start = 0; start < d.count; start += batchSize) {
    const n = Math.min(batchSize, d.count - start);
    const probs = tf.tidy(() => {
      const x = tf.tensor4d(d.x.subarray(start * per, (start + n) * per), [n, ...d.shape]);
      return tf.softmax(forward(net, x, false).logits);
    });
    out.set(probs.dataSync(), start * classes);
    probs.dispose();
  }
  return out;
}

/** Accuracy, loss, per-class recall and confusion matrix of `net` on `d`. */
export function evaluate(net: Network, d: Examples, batchSize = 256): Evaluation {
  return scoreProbabilities(predictProbabilities(net, d, batchSize), d.y, net.model.numClasses);
}

/**
 * The evaluation of class probabilities ([count × classes], row-major) against labels `y`: the
 * prediction is the first most probable class; loss is the mean cross-entropy.
 */
export function scoreProbabilities(
  probs: Float32Array,
  y: Int32Array,
  classes: number
): Evaluation {
  const count = y.length;
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const predictions = new Int32Array(count);
  let correct = 0;
  let loss = 0;
  for (let i = 0; i < count; i++) {
    let best = 0;
    for (let c = 1; c < classes; c++)
      if (probs[i * classes + c] > probs[i * classes + best]) best = c;
    predictions[i] = best;
    confusion[y[i]][best]++;
    if (best === y[i]) correct++;
    loss -= Math.log(Math.max(probs[i * classes + y[i]], 1e-12));
  }
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[c] / total;
  });
  return { accuracy: correct / count, loss: loss / count, perClass, confusion, predictions };
}
