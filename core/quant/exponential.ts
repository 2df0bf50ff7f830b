import type { QuantizedWeights } from './types';
import { checkWeightBits, intervalIndex, snapToTable, TABLE_LEVEL_BITS } from './types';

/**
 * Whether the levels are exact powers of two of the amplitude that the engine multiplies by
 * shifting (q = ½ with at most 14 magnitudes); other level sets live on the 13-bit table grid.
 */
export function exactPowersOfTwo(q: number, n: number): boolean {
  return q === 0.5 && n - 1 <= TABLE_LEVEL_BITS;
}

/**
 * The magnitudes A·q^j, j = 0…n−1, plus the zero level when present; ascending. Exact powers of
 * two when {@link exactPowersOfTwo}; otherwise on the table grid ({@link snapToTable}; `amplitude`
 * itself should then be on it, as {@link quantizeExponential} makes it).
 */
export function exponentialMagnitudes(
  amplitude: number,
  q: number,
  n: number,
  hasZero: boolean
): Float64Array {
  const m = new Float64Array(n + (hasZero ? 1 : 0));
  const offset = hasZero ? 1 : 0;
  for (let j = 0; j < n; j++) m[offset + n - 1 - j] = amplitude * q ** j;
  return exactPowersOfTwo(q, n) ? m : snapToTable(m);
}

function midpoints(sorted: Float64Array): Float64Array {
  const mid = new Float64Array(sorted.length - 1);
  for (let i = 0; i < mid.length; i++) mid[i] = (sorted[i] + sorted[i + 1]) / 2;
  return mid;
}

/** How many non-zero magnitudes b bits allow: one bit is the sign, and maybe one code is zero. */
export function exponentialLevelCount(bits: number, hasZero: boolean): number {
  return bits === 1 ? 1 : 2 ** (bits - 1) - (hasZero ? 1 : 0);
}

/**
 * Exponential discretization per layer (PAPERS.md §4): each weight snaps to the nearest of
 * 0 (when `hasZero`) and ±A·q^j, j = 0…n−1, with A = max|w| (levels on the 13-bit table grid). q = ½ is power-of-two quantization.
 * When `q` is absent it is chosen by {@link chooseExponentialQ}. Codes: 0, or sign·(j + 1).
 * `w` is float32 in any layout; the whole tensor shares one set of levels.
 */
export function quantizeExponential(
  w: Float32Array,
  shape: number[],
  bits: number,
  q?: number,
  hasZero = bits >= 2
): QuantizedWeights {
  checkWeightBits(bits);
  if (bits === 1 && hasZero) throw new RangeError('1-bit exponential has no code left for zero');
  const ratio = q ?? chooseExponentialQ(w, bits, hasZero);
  if (!(ratio > 0 && ratio < 1)) throw new RangeError(`q must be in (0, 1), got ${ratio}`);
  let amplitude = 0;
  for (let i = 0; i < w.length; i++) amplitude = Math.max(amplitude, Math.abs(w[i]));
  const n = exponentialLevelCount(bits, hasZero);
  if (!exactPowersOfTwo(ratio, n)) amplitude = snapToTable([amplitude])[0];
  const mags = exponentialMagnitudes(amplitude, ratio, n, hasZero);
  const mid = midpoints(mags);
  const codes = new Int32Array(w.length);
  const values = new Float32Array(w.length);
  const top = mags.length - 1;
  for (let i = 0; i < w.length; i++) {
    const idx = intervalIndex(mid, Math.abs(w[i]));
    const sign = w[i] < 0 ? -1 : 1;
    if (amplitude === 0 || (hasZero && idx === 0)) continue;
    const j = top - idx;
    codes[i] = sign * (j + 1);
    values[i] = sign * mags[idx];
  }
  return {
    scheme: 'exponential',
    bits,
    shape: [...shape],
    codes,
    values,
    amplitude,
    q: ratio,
    hasZero
  };
}

/** Pearson correlation of `w` with its discretization at ratio q (on a strided sample). */
function correlationAt(sample: Float32Array, bits: number, q: number, hasZero: boolean): number {
  const d = quantizeExponential(sample, [sample.length], bits, q, hasZero).values;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < sample.length; i++) {
    sx += sample[i];
    sy += d[i];
  }
  const mx = sx / sample.length;
  const my = sy / sample.length;
  let cov = 0;
  let vx = 0;
  let vy = 0;
  for (let i = 0; i < sample.length; i++) {
    cov += (sample[i] - mx) * (d[i] - my);
    vx += (sample[i] - mx) ** 2;
    vy += (d[i] - my) ** 2;
  }
  return vx > 0 && vy > 0 ? cov / Math.sqrt(vx * vy) : 0;
}

const SAMPLE = 8192;

/**
 * Picks q per layer by maximising the correlation between original and discretized weights
 * (our reconstruction of PAPERS.md §4): a coarse grid q = 0.05, 0.10 … 0.95, then steps of 0.01
 * within ±0.05 of the best. Layers above 8,192 weights are judged on an evenly strided sample so
 * the search stays cheap enough to run every training step. Ties keep the q found first.
 */
export function chooseExponentialQ(w: Float32Array, bits: number, hasZero = bits >= 2): number {
  if (bits === 1) return 0.5; // a single magnitude: q plays no part
  const stride = Math.max(1, Math.ceil(w.length / SAMPLE));
  const sample =
    stride === 1
      ? w
      : Float32Array.from({ length: Math.floor(w.length / stride) }, (_, i) => w[i * stride]);
  let best = 0.5;
  let bestCorr = -Infinity;
  const consider = (q: number): void => {
    const c = correlationAt(sample, bits, q, hasZero);
    if (c > bestCorr + 1e-12) {
      bestCorr = c;
      best = q;
    }
  };
  for (let k = 1; k <= 19; k++) consider(Math.round(k * 5) / 100);
  const centre = best;
  for (let k = -4; k <= 4; k++) {
    const q = Math.round(centre * 100 + k) / 100;
    if (q > 0 && q < 1 && q !== centre) consider(q);
  }
  return best;
}
