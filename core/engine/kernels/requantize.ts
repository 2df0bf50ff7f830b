import type { Requant } from '../int-model';

const TWO16 = 65536;
const INV16 = 1 / TWO16;

/**
 * Requantizes one int32 accumulator of output channel c:
 * clamp(floor((acc·m + bias + 2^(shift−1)) / 2^shift), 0, maxCode), i.e. round half up, with the
 * exact 64-bit product of gemmlowp-style fixed point. acc·m can reach 2^62, beyond float64's exact
 * range, so m is split into 15 + 16 bits: with A = acc·m_hi and B = acc·m_lo + bias + half,
 * floor((A·2^16 + B) / 2^s) = floor((A + floor(B / 2^16)) / 2^(s−16)) exactly, every term < 2^53.
 * (Divisions by powers of two are multiplications by their exact inverses.)
 */
export function requantize(acc: number, r: Requant, c: number): number {
  return requantWith(acc, constants(r), c, r.maxCode);
}

/** Requantizes `acc` laid out [positions, channels] into `out` (same layout). */
export function requantizeAll(
  acc: Int32Array,
  r: Requant,
  channels: number,
  out: Int32Array
): void {
  const k = constants(r);
  const max = r.maxCode;
  for (let p = 0; p < acc.length; p += channels) {
    for (let c = 0; c < channels; c++) out[p + c] = requantWith(acc[p + c], k, c, max);
  }
}

/** Per-channel constants derived once from a Requant (the hot loop then only multiplies). */
interface Constants {
  hi: Float64Array;
  lo: Float64Array;
  /** bias + 2^(shift−1): the part of B that doesn't depend on acc. */
  offset: Float64Array;
  /** 2^−(shift−16); for shift < 16, 2^−shift (with `small` set). */
  inv: Float64Array;
  small: Uint8Array;
  m: Float64Array;
  bias: Float64Array;
}

const cache = new WeakMap<Requant, Constants>();

function constants(r: Requant): Constants {
  const hit = cache.get(r);
  if (hit) return hit;
  const n = r.m.length;
  const k: Constants = {
    hi: new Float64Array(n),
    lo: new Float64Array(n),
    offset: new Float64Array(n),
    inv: new Float64Array(n),
    small: new Uint8Array(n),
    m: Float64Array.from(r.m),
    bias: Float64Array.from(r.bias)
  };
  for (let c = 0; c < n; c++) {
    const s = r.shift[c];
    if (s >= 16) {
      k.hi[c] = Math.floor(r.m[c] / TWO16);
      k.lo[c] = r.m[c] - k.hi[c] * TWO16;
      k.offset[c] = r.bias[c] + 2 ** (s - 1);
      k.inv[c] = 2 ** -(s - 16);
    } else {
      // Only for multipliers ≥ 2^15 (never in practice): the plain product is then small enough.
      k.small[c] = 1;
      k.inv[c] = 2 ** -s;
    }
  }
  cache.set(r, k);
  return k;
}

function requantWith(acc: number, k: Constants, c: number, max: number): number {
  const q =
    k.small[c] === 0
      ? Math.floor((acc * k.hi[c] + Math.floor((acc * k.lo[c] + k.offset[c]) * INV16)) * k.inv[c])
      : Math.round((acc * k.m[c] + k.bias[c]) * k.inv[c]);
  return q < 0 ? 0 : q > max ? max : q;
}
