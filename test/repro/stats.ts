/** Means, spreads and the wording of verdicts for the reproduction's tables. */

export function mean(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0) / xs.length;
}

/** Sample standard deviation (n − 1); 0 for a single value. */
export function sd(xs: number[]): number {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((a, b) => a + (b - m) ** 2, 0) / (xs.length - 1));
}

/** "97.12 ± 0.20 %" over seeds (accuracies in [0, 1]). */
export function pctSd(xs: number[]): string {
  return xs.length > 1
    ? `${(100 * mean(xs)).toFixed(2)} ± ${(100 * sd(xs)).toFixed(2)} %`
    : `${(100 * xs[0]).toFixed(2)} %`;
}

export function pct(x: number): string {
  return `${(100 * x).toFixed(2)} %`;
}

/** "1.2 ± 0.4" over seeds, one decimal. */
export function numSd(xs: number[], digits = 1): string {
  return xs.length > 1
    ? `${mean(xs).toFixed(digits)} ± ${sd(xs).toFixed(digits)}`
    : xs[0].toFixed(digits);
}

/**
 * Compares two sets of per-seed values: 'better' when a's mean is higher by more than the two
 * spreads together (mean difference > sd(a) + sd(b)), 'worse' symmetrically, otherwise 'within
 * noise'.
 */
export function compare(a: number[], b: number[]): 'better' | 'worse' | 'within noise' {
  const d = mean(a) - mean(b);
  const noise = sd(a) + sd(b);
  if (d > noise && d > 0) return 'better';
  if (-d > noise && d < 0) return 'worse';
  return 'within noise';
}

/** "Holds at 2 of 3 …" style summary of how many comparisons came out for the claim. */
export function tally(outcomes: string[], what: string): string {
  const better = outcomes.filter((o) => o === 'better').length;
  const worse = outcomes.filter((o) => o === 'worse').length;
  const n = outcomes.length;
  const verdict =
    better === n
      ? 'Holds'
      : better > worse && better > n / 2
        ? 'Mostly holds'
        : worse > better
          ? 'Does not hold'
          : 'Not shown';
  return `${verdict} here: better at ${better} of ${n} ${what}, worse at ${worse}, within the seeds' spread at ${n - better - worse}.`;
}
