import type { WeightScheme } from '../spec/model-spec';

interface Common {
  bits: number;
  /** Shape of the weight tensor; the last axis is the output channel. */
  shape: number[];
  /**
   * The integer stored per weight, same layout as the input: linear → signed level index
   * (value = code·scale[c]); exponential → 0 for zero, else ±(j+1) for ±A·q^j; kmeans → index
   * into the codebook.
   */
  codes: Int32Array;
  /** The dequantized weights, same layout as the input. */
  values: Float32Array;
}

export type QuantizedWeights =
  | (Common & { scheme: 'linear'; scales: Float32Array })
  | (Common & { scheme: 'exponential'; amplitude: number; q: number; hasZero: boolean })
  | (Common & { scheme: 'kmeans'; codebook: Float32Array });

export interface WeightQuantOptions {
  /** 1–8. */
  bits: number;
  scheme: WeightScheme;
  /** exponential only: the ratio between neighbouring levels; chosen per layer when absent. */
  q?: number;
}

/**
 * Precision of the shared level tables of exponential and k-means weights: every level is an
 * integer multiple of one power-of-two unit with |integer| ≤ 2^13, so the integer engine stores
 * each level exactly (13 bits plus sign) and computes with exactly the values training used, and
 * the levels are exact in float32 (quantizing them again changes nothing). Without this the
 * engine's rounded levels differed from training's by up to 2^−14 of the largest weight, enough
 * to move low-bit activations across rounding steps (96 % top-1 agreement on tiny models).
 */
export const TABLE_LEVEL_BITS = 13;

/** The table unit for levels up to `maxAbs`: 2^(⌈log2 maxAbs⌉ − bits), so maxAbs ≤ 2^bits units. */
export function tableUnit(maxAbs: number, bits = TABLE_LEVEL_BITS): number {
  return maxAbs > 0 ? 2 ** (Math.ceil(Math.log2(maxAbs)) - bits) : 0;
}

/** `levels` moved to the nearest multiple of their {@link tableUnit} (a new array). */
export function snapToTable(levels: ArrayLike<number>): Float64Array {
  let max = 0;
  for (let i = 0; i < levels.length; i++) max = Math.max(max, Math.abs(levels[i]));
  const unit = tableUnit(max);
  return Float64Array.from(levels, (v) => (unit > 0 ? Math.round(v / unit) * unit : 0));
}

/** Throws a RangeError unless `bits` is an integer from 1 to 8. */
export function checkWeightBits(bits: number, max = 8): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > max) {
    throw new RangeError(`weight bits must be an integer from 1 to ${max}, got ${bits}`);
  }
}

/** Number of output channels: the size of the last axis (1 for a scalar shape). */
export function outChannels(shape: number[]): number {
  return shape.length === 0 ? 1 : shape[shape.length - 1];
}

/** Rounds halves away from zero, so that rounding is symmetric in sign (Math.round is not). */
export function roundHalfAway(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Index of the interval of sorted `bounds` that holds x: the count of bounds ≤ x... < x. */
export function intervalIndex(bounds: ArrayLike<number>, x: number): number {
  let lo = 0;
  let hi = bounds.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (bounds[mid] < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
