import type { Rng } from '../util/rng';
import { levelsOf, quantizeWeights } from './index';
import type { WeightQuantOptions } from './types';
import { intervalIndex, outChannels } from './types';

/**
 * Probabilistic learning of low-precision weights (PAPERS.md §1, our reconstruction): after an
 * update moves a weight off its grid, it is rounded to the level just below or just above it,
 * choosing the upper one with probability (w − lo)/(hi − lo), so the rounding is unbiased and small
 * updates still move weights in expectation. The grid is the one the scheme's quantizer builds for
 * these values (per output channel for linear, per layer otherwise); values beyond the outermost
 * levels clamp to them. `w` is float32 with the output channel last; returns a new array.
 */
export function stochasticRound(
  w: Float32Array,
  shape: number[],
  opts: WeightQuantOptions,
  rng: Rng
): Float32Array {
  const qw = quantizeWeights(w, shape, opts);
  const groups = levelsOf(qw);
  const out = outChannels(shape);
  const result = new Float32Array(w.length);
  for (let i = 0; i < w.length; i++) {
    const levels = groups.length === 1 ? groups[0] : groups[i % out];
    const x = w[i];
    const hiIdx = intervalIndex(levels, x);
    if (hiIdx === 0) result[i] = levels[0];
    else if (hiIdx === levels.length) result[i] = levels[levels.length - 1];
    else {
      const lo = levels[hiIdx - 1];
      const hi = levels[hiIdx];
      result[i] = hi === lo || rng.next() < (x - lo) / (hi - lo) ? hi : lo;
    }
  }
  return result;
}
