import * as tf from '@tensorflow/tfjs-core';
import { kwtaK } from './k-wta-reference';

/**
 * 0/1 float mask of the winners along the last axis of `x` ([..., C]): the k largest by value (or
 * by value·boost when `boost` [C] is given), lower channel index first among ties, and only
 * values > 0. Built from the k-th largest value rather than from TopK's indices so that ties are
 * broken by index on every backend: everything above the k-th value wins, and the remaining
 * places go to the lowest-indexed channels equal to it (a running count along the channels).
 */
function winnerMask(x: tf.Tensor, k: number, boost?: tf.Tensor1D): tf.Tensor {
  return tf.tidy(() => {
    const last = x.rank - 1;
    const ranked = boost ? tf.mul(x, boost) : x;
    const { values } = tf.topk(ranked, k, true);
    const kth = tf.slice(
      values,
      [...new Array<number>(last).fill(0), k - 1],
      [...values.shape.slice(0, -1), 1]
    );
    const above = tf.cast(tf.greater(ranked, kth), 'float32');
    const equal = tf.cast(tf.equal(ranked, kth), 'float32');
    const places = tf.sub(k, tf.sum(above, last, true));
    const tiedWinners = tf.mul(
      equal,
      tf.cast(tf.lessEqual(tf.cumsum(equal, last), places), 'float32')
    );
    return tf.mul(tf.add(above, tiedWinners), tf.cast(tf.greater(x, 0), 'float32'));
  });
}

type KwtaCustom = (
  x: tf.Tensor,
  save: tf.GradSaveFunc
) => {
  value: tf.Tensor;
  gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor;
};

function maskedOp(mask: tf.Tensor): (x: tf.Tensor) => tf.Tensor {
  const fn: KwtaCustom = (x, save) => {
    save([mask]);
    return { value: tf.mul(x, mask), gradFunc: (dy, saved) => tf.mul(dy, saved[0]) };
  };
  return tf.customGrad(fn as unknown as Parameters<typeof tf.customGrad>[0]) as (
    x: tf.Tensor
  ) => tf.Tensor;
}

/**
 * k-winners-take-all across channels at every location (PAPERS.md §1): `x` is [N, H, W, C] or
 * [N, C] float32; at each location the k = ceil(fraction·C) largest positive values are kept and
 * the rest set to 0. The gradient flows through the winners only. `boost` ([C], optional) changes
 * which channels win (duty-cycle boosting) but not the values they pass on. fraction = 1 turns the
 * layer off: `x` is returned unchanged (identity).
 */
export function kwta(x: tf.Tensor, fraction: number, boost?: tf.Tensor1D): tf.Tensor {
  return kwtaWithCounts(x, fraction, boost, false).output;
}

/**
 * As {@link kwta}, also returning `counts` [C]: how many locations each channel won in this batch
 * (for duty cycles). With `withCounts` false, `counts` is an empty tensor.
 */
export function kwtaWithCounts(
  x: tf.Tensor,
  fraction: number,
  boost?: tf.Tensor1D,
  withCounts = true
): { output: tf.Tensor; counts: tf.Tensor1D } {
  const channels = x.shape[x.rank - 1];
  const k = kwtaK(channels, fraction);
  if (fraction >= 1) {
    return { output: tf.clone(x), counts: withCounts ? countPositive(x) : tf.tensor1d([]) };
  }
  return tf.tidy(() => {
    const mask = winnerMask(x, k, boost);
    const output = maskedOp(mask)(x);
    const counts = withCounts
      ? (tf.sum(tf.reshape(mask, [-1, channels]), 0) as tf.Tensor1D)
      : tf.tensor1d([]);
    return { output, counts };
  });
}

function countPositive(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const channels = x.shape[x.rank - 1];
    return tf.sum(
      tf.reshape(tf.cast(tf.greater(x, 0), 'float32'), [-1, channels]),
      0
    ) as tf.Tensor1D;
  });
}
