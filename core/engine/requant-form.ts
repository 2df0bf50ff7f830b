/**
 * Requantization constants: real per-channel multipliers and offsets (in output steps) as the
 * fixed-point integers the kernels compute with exactly.
 */
import type { Requant } from './int-model';

/** Fixed-point form of a real multiplier: |m| in [2^30, 2^31), value = m·2^−shift (gemmlowp style). */
export function fixedPoint(multiplier: number): { m: number; shift: number } {
  if (multiplier === 0 || !Number.isFinite(multiplier)) return { m: 0, shift: 0 };
  const shift = 30 - Math.floor(Math.log2(Math.abs(multiplier)));
  const m = Math.round(multiplier * 2 ** shift);
  if (Math.abs(m) >= 2 ** 31) return { m: Math.round(m / 2), shift: shift - 1 };
  return { m, shift };
}

/**
 * Largest |bias| and shift the requantization kernels compute exactly: the JavaScript kernel
 * keeps acc·m_lo + bias + 2^(shift−1) below 2^53 (acc·m_lo < 2^47), the wasm one works in i64.
 */
const BIAS_LIMIT = 2 ** 51;
const SHIFT_LIMIT = 52;

/**
 * Fixed-point requantization constants for real multipliers and offsets (in output steps).
 * The shift comes from the multiplier (31-bit m, gemmlowp style) unless the offset, scaled by it,
 * would leave the range the kernels compute exactly; then the shift is lowered until it fits,
 * which costs the multiplier low-order bits only. (A small multiplier meets a large offset with
 * 13-bit k-means or exponential tables: one table unit is 2^−13 of the largest weight, so the
 * multiplier shrinks by 2^13 while the batch-norm offset, in output steps, does not.)
 * A channel whose offset keeps every reachable accumulator (|acc| ≤ reach[c]) outside the output
 * range is constant: it gets m = 0 and its constant code as bias, the same outputs exactly.
 */
export function requant(
  multipliers: Float64Array,
  offsets: Float64Array,
  maxCode: number,
  reach: Float64Array
): Requant {
  const n = multipliers.length;
  const r: Requant = {
    m: new Int32Array(n),
    shift: new Int32Array(n),
    bias: new Float64Array(n),
    maxCode
  };
  for (let c = 0; c < n; c++) {
    const span = reach[c] * Math.abs(multipliers[c]);
    const offset = offsets[c];
    // floor(x + ½) clamped to [0, maxCode]: always maxCode when x ≥ maxCode − ½, always 0 below −½.
    if (offset - span >= maxCode - 0.5 || offset + span < -0.5) {
      r.bias[c] = offset - span >= maxCode - 0.5 ? maxCode : 0;
      continue;
    }
    let { m, shift } = fixedPoint(multipliers[c]);
    while (shift > 0 && (shift > SHIFT_LIMIT || Math.abs(offset) * 2 ** shift > BIAS_LIMIT)) {
      shift--;
      m = Math.round(multipliers[c] * 2 ** shift);
    }
    r.m[c] = m;
    r.shift[c] = shift;
    r.bias[c] = Math.round(offset * 2 ** shift);
  }
  return r;
}
