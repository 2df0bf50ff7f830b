/**
 * Uniform unsigned activation quantization (after ReLU): b bits cover [0, max] in 2^b − 1 steps.
 * Returns the dequantized value round(clamp(x, 0, max) / step)·step with step = max / (2^b − 1).
 */
export function quantizeActivationValue(x: number, bits: number, max: number): number {
  const n = 2 ** bits - 1;
  if (!(max > 0)) return 0;
  const step = max / n;
  return Math.round(Math.min(Math.max(x, 0), max) / step) * step;
}

/**
 * Exponential moving average of a range bound; the first observation initialises it.
 * `momentum` is the weight of the old value (e.g. 0.99).
 */
export function updateEma(current: number | undefined, observed: number, momentum: number): number {
  return current === undefined ? observed : momentum * current + (1 - momentum) * observed;
}

/** Parameters of the asymmetric uniform input quantizer. */
export interface AffineQuantParams {
  /** Real value of one step. */
  scale: number;
  /** The integer code that represents real 0, in [0, 2^b − 1]. */
  zeroPoint: number;
  /** Largest code, 2^b − 1. */
  maxCode: number;
}

/**
 * Asymmetric quantization of a signed input range [min, max] (TFLite style, Jacob et al. 2018):
 * the range is widened to include 0, scale = (max − min)/(2^b − 1), zeroPoint = round(−min/scale),
 * and a value x is stored as clamp(round(x/scale) + zeroPoint, 0, 2^b − 1), read back as
 * (code − zeroPoint)·scale. Zero is represented exactly, so zero padding stays zero.
 */
export function affineParams(min: number, max: number, bits: number): AffineQuantParams {
  const lo = Math.min(min, 0);
  const hi = Math.max(max, 0);
  const maxCode = 2 ** bits - 1;
  // A degenerate (or denormal-width) range gets unit steps: everything in it rounds to zero.
  const scale = hi - lo > 1e-20 ? (hi - lo) / maxCode : 1;
  const zeroPoint = Math.min(maxCode, Math.max(0, Math.round(-lo / scale)));
  return { scale, zeroPoint, maxCode };
}

/** Quantize-dequantize one value with {@link affineParams}. */
export function quantizeAffineValue(x: number, p: AffineQuantParams): number {
  const code = Math.min(p.maxCode, Math.max(0, Math.round(x / p.scale) + p.zeroPoint));
  return (code - p.zeroPoint) * p.scale;
}
