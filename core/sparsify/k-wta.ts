import * as tf from '@tensorflow/tfjs-core';
import { FUSED, hasFusedKernel } from '../util/fused-kernels';
import { kwtaK } from './k-wta-reference';

/**
 * 0/1 winner mask over `values` (locations × channels, channel fastest): at each location the k
 * largest by value·boost, the lower channel index first among equals, and only values > 0.
 * One pass per location keeps the current top k in a small sorted list (k ≤ C ≤ a few hundred),
 * so the cost is O(C·k) per location with no allocation; `wins` [C] counts each channel's wins.
 */
export function kwtaMask(
  values: ArrayLike<number>,
  channels: number,
  k: number,
  boost?: ArrayLike<number>,
  wins?: Float32Array
): Float32Array {
  const mask = new Float32Array(values.length);
  const topScore = new Float64Array(k);
  const topIndex = new Int32Array(k);
  for (let base = 0; base < values.length; base += channels) {
    let filled = 0;
    for (let c = 0; c < channels; c++) {
      const score = boost ? values[base + c] * boost[c] : values[base + c];
      // Strictly greater: an equal later channel never displaces an earlier one.
      if (filled === k && !(score > topScore[k - 1])) continue;
      let at = filled === k ? k - 1 : filled++;
      while (at > 0 && score > topScore[at - 1]) {
        topScore[at] = topScore[at - 1];
        topIndex[at] = topIndex[at - 1];
        at--;
      }
      topScore[at] = score;
      topIndex[at] = c;
    }
    for (let r = 0; r < filled; r++) {
      const c = topIndex[r];
      if (values[base + c] > 0) {
        mask[base + c] = 1;
        if (wins) wins[c]++;
      }
    }
  }
  return mask;
}

/**
 * The mask as a tensor of x's shape. Computed on the host: the backend's broadcasting
 * comparisons cost more than the rest of a training step together, and this also gives ties a
 * deterministic, backend-independent order.
 */
function winnerMask(x: tf.Tensor, k: number, boost?: tf.Tensor1D, wins?: Float32Array): tf.Tensor {
  const channels = x.shape[x.rank - 1];
  const mask = kwtaMask(
    x.dataSync() as Float32Array,
    channels,
    k,
    boost ? (boost.dataSync() as Float32Array) : undefined,
    wins
  );
  return tf.tensor(mask, x.shape);
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
  if (hasFusedKernel(FUSED.kwta)) {
    // One backend kernel (core/train/backend/kwta-kernel.ts), same winners as the mask below.
    const [output, counts] = tf
      .engine()
      .runKernel(FUSED.kwta, boost ? { x, boost } : { x }, { k }) as tf.Tensor[];
    if (withCounts) return { output, counts: counts as tf.Tensor1D };
    counts.dispose();
    return { output, counts: tf.tensor1d([]) };
  }
  return tf.tidy(() => {
    const wins = withCounts ? new Float32Array(channels) : undefined;
    const mask = winnerMask(x, k, boost, wins);
    const output = maskedOp(mask)(x);
    return { output, counts: tf.tensor1d(wins ?? new Float32Array(0)) };
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
