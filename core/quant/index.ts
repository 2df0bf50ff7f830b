import { exponentialLevelCount, exponentialMagnitudes, quantizeExponential } from './exponential';
import { quantizeKmeans } from './kmeans';
import { quantizeLinear } from './linear';
import type { QuantizedWeights, WeightQuantOptions } from './types';
import { outChannels } from './types';

export * from './types';
export { quantizeLinear } from './linear';
export {
  quantizeExponential,
  chooseExponentialQ,
  exactPowersOfTwo,
  exponentialLevelCount,
  exponentialMagnitudes
} from './exponential';
export { quantizeKmeans } from './kmeans';
export { stochasticRound } from './stochastic';
export * from './activation';

/**
 * Quantizes float32 weights (`shape` with the output channel last) with the given scheme and
 * 1–8 bits. Float (32-bit) layers are never passed here: callers skip them.
 */
export function quantizeWeights(
  values: Float32Array,
  shape: number[],
  opts: WeightQuantOptions
): QuantizedWeights {
  switch (opts.scheme) {
    case 'linear':
      return quantizeLinear(values, shape, opts.bits);
    case 'exponential':
      return quantizeExponential(values, shape, opts.bits, opts.q);
    case 'kmeans':
      return quantizeKmeans(values, shape, opts.bits);
    default:
      throw new RangeError(
        `unknown weight scheme ${JSON.stringify((opts as { scheme: unknown }).scheme)}`
      );
  }
}

/**
 * The representable levels, ascending, per group: one group per output channel for linear
 * (levels = code·scale_c for every code), a single group for exponential and k-means.
 */
export function levelsOf(qw: QuantizedWeights): Float64Array[] {
  switch (qw.scheme) {
    case 'linear': {
      const out = outChannels(qw.shape);
      const codes =
        qw.bits === 1
          ? [-1, 1]
          : Array.from({ length: 2 ** qw.bits - 1 }, (_, i) => i - (2 ** (qw.bits - 1) - 1));
      return Array.from({ length: out }, (_, c) =>
        Float64Array.from(codes, (code) => code * qw.scales[c])
      );
    }
    case 'exponential': {
      const n = exponentialLevelCount(qw.bits, qw.hasZero);
      const mags = Array.from(exponentialMagnitudes(qw.amplitude, qw.q, n, false));
      const all = [...mags.map((m) => -m), ...(qw.hasZero ? [0] : []), ...mags];
      return [Float64Array.from(all).sort()];
    }
    case 'kmeans':
      return [Float64Array.from(qw.codebook)];
  }
}
