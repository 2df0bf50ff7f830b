/**
 * Numbers as the page prints them, where `toFixed` alone would say something odd: a value that
 * rounds to zero from below reads "0.0", never "-0.0".
 */

/** `x` with `digits` decimals; a value that rounds to zero is "0.0" whatever its sign. */
export function fixed(x: number, digits: number): string {
  const text = x.toFixed(digits);
  return Number(text) === 0 ? (0).toFixed(digits) : text;
}
