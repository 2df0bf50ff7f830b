/**
 * The whole job's time left (review #3): with cross-validation the served model and then every
 * fold train, and the estimate covers all of them, not only the fit training now.
 */
import { describe, expect, test } from 'vitest';
import { JobProgress } from './job-progress';

/** A job whose fits each take 0.5 s per clip, reported with the trainer's exact estimates. */
function simulate(sizes: number[], at: (fit: number, within: number) => boolean) {
  let clock = 0;
  const job = new JobProgress(sizes, () => clock);
  const out: { fit: number; within: number; eta: number; truth: number; fraction: number }[] = [];
  const total = sizes.reduce((a, b) => a + b, 0) * 0.5;
  let before = 0;
  sizes.forEach((size, fit) => {
    const seconds = size * 0.5;
    for (let step = 0; step <= 10; step++) {
      const within = step / 10;
      clock = (before + within * seconds) * 1000;
      const e = job.report(fit, {
        epoch: Math.min(10, Math.floor(within * 10) + 1),
        epochs: 10,
        batch: within === 1 ? 1 : 0,
        batches: 1,
        etaSeconds: (1 - within) * seconds
      });
      if (at(fit, within))
        out.push({
          fit,
          within,
          eta: e.etaSeconds,
          truth: total - clock / 1000,
          fraction: e.fraction
        });
    }
    before += seconds;
  });
  return out;
}

describe('time left for the whole job', () => {
  test('final model of 20 clips + 4 folds of 15: the estimate is the time to the last fold’s end', () => {
    const seen = simulate([20, 15, 15, 15, 15], (_, w) => w === 0.5);
    expect(seen.map((s) => s.fit)).toEqual([0, 1, 2, 3, 4]);
    for (const s of seen) expect(s.eta).toBeCloseTo(s.truth, 6);
    // Fold 1 half-way: 64 s left in the review's run, "6 s" shown — here 26.25 s, not 3.75 s.
    expect(seen[1].eta).toBeCloseTo(3.75 + 3 * 7.5, 6);
    expect(seen.map((s) => s.fraction)).toEqual(
      [10, 27.5, 42.5, 57.5, 72.5].map((c) => expect.closeTo(c / 80, 9))
    );
  });

  test('one fit (a held-out tenth): the trainer’s own estimate, fraction by epochs', () => {
    const seen = simulate([36], () => true);
    expect(seen[3].eta).toBeCloseTo(0.7 * 18, 6);
    expect(seen.at(-1)!.eta).toBe(0);
    expect(seen.at(-1)!.fraction).toBe(1);
  });

  test('a slower fit than the trainer foresaw raises the estimate for the folds after it', () => {
    let clock = 0;
    const job = new JobProgress([10, 10, 10], () => clock);
    const at = (fit: number, eta: number) =>
      job.report(fit, { epoch: 1, epochs: 1, batch: 0, batches: 1, etaSeconds: eta });
    at(0, 5); // foresees 5 s
    clock = 20_000; // took 20 s (calibration, judging, writing)
    const e = at(1, 5);
    // 20 s measured + 5 s foreseen over 20 clips: 1.25 s a clip for the 10 clips still to come.
    expect(e.etaSeconds).toBeCloseTo(5 + 12.5, 6);
  });
});
