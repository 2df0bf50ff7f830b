import type { Requant } from '../int-model';

const TWO16 = 65536;

/**
 * Requantizes one int32 accumulator of output channel c:
 * clamp(floor((acc·m + bias + 2^(shift−1)) / 2^shift), 0, maxCode), i.e. round half up, with the
 * exact 64-bit product of gemmlowp-style fixed point. acc·m can reach 2^62, beyond float64's exact
 * range, so m is split into 15 + 16 bits: with A = acc·m_hi and B = acc·m_lo + bias + half,
 * floor((A·2^16 + B) / 2^s) = floor((A + floor(B / 2^16)) / 2^(s−16)) exactly, every term < 2^53.
 */
export function requantize(acc: number, r: Requant, c: number): number {
  const shift = r.shift[c];
  const m = r.m[c];
  let q: number;
  if (shift >= 16) {
    const hi = Math.floor(m / TWO16);
    const lo = m - hi * TWO16;
    const b = acc * lo + r.bias[c] + 2 ** (shift - 1);
    q = Math.floor((acc * hi + Math.floor(b / TWO16)) / 2 ** (shift - 16));
  } else {
    // Only for multipliers ≥ 2^15 (never in practice): the plain product is then small enough.
    q = Math.round((acc * m + r.bias[c]) / 2 ** shift);
  }
  return q < 0 ? 0 : q > r.maxCode ? r.maxCode : q;
}
