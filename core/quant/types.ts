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

/** Throws a RangeError unless `bits` is an integer from 1 to 8. */
export function checkWeightBits(bits: number): void {
  if (!Number.isInteger(bits) || bits < 1 || bits > 8) {
    throw new RangeError(`weight bits must be an integer from 1 to 8, got ${bits}`);
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
