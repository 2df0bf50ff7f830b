/**
 * Numbers as the page prints them, where `toFixed` alone would say something odd: a value that
 * rounds to zero from below reads "0.0", never "-0.0".
 */

/** `x` with `digits` decimals; a value that rounds to zero is "0.0" whatever its sign. */
export function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}

/**
 * Seconds between windows as every view says them: up to three decimals, no trailing zeros
 * ("0.26", "0.5", "1").
 */
export function hopText(seconds: number): string {
  return String(Number(seconds.toFixed(3)));
}
