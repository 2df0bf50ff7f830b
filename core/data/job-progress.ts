/**
 * How far a whole training job has got and how long it has left: the model that will be served
 * and then every cross-validation fold, not just the part training now. The app's progress bar
 * and the CLI's ETA both read it from the pipeline's reports (pipeline.ts).
 *
 * A job is a list of fits, each sized by the clips it trains on. Time per clip comes from what
 * the job has measured: fits that are done (their whole wall time, calibration and judging
 * included) plus the current one (elapsed, and the trainer's own estimate of what it has left).
 * The fits still to come are assumed to cost the same per clip: they train as many epochs on
 * the same kind of data, so their time grows with their clip count.
 */

/** Where the trainer is within the current fit (core/train's TrainProgress, the parts used). */
export interface FitPosition {
  epoch: number;
  epochs: number;
  batch: number;
  batches: number;
  /** The trainer's estimate of the seconds this fit has left. */
  etaSeconds: number;
}

export interface JobEstimate {
  /** Share of the job done, in [0, 1], by clips trained (epochs within the current fit). */
  fraction: number;
  /** Seconds the whole job has left: this fit's rest and every fit after it. */
  etaSeconds: number;
}

export class JobProgress {
  private current = -1;
  private started = 0;
  private doneSeconds = 0;
  private doneClips = 0;

  /**
   * @param sizes clips each fit of the job trains on, in the order they train (the served model
   *   first, then the folds)
   * @param now milliseconds (injected: core has no clock of its own)
   */
  constructor(
    private readonly sizes: number[],
    private readonly now: () => number
  ) {}

  /** The estimate after a report of fit `fit` (0-based) at `p`. Fits must come in order. */
  report(fit: number, p: FitPosition): JobEstimate {
    if (fit !== this.current) this.begin(fit);
    const size = this.sizes[fit] ?? 0;
    const within = Math.min(
      1,
      Math.max(0, (p.epoch - 1 + p.batch / Math.max(1, p.batches)) / Math.max(1, p.epochs))
    );
    const elapsed = (this.now() - this.started) / 1000;
    const eta = Number.isFinite(p.etaSeconds) ? Math.max(0, p.etaSeconds) : 0;
    const measuredClips = this.doneClips + size;
    const perClip = measuredClips > 0 ? (this.doneSeconds + elapsed + eta) / measuredClips : 0;
    const after = this.sizes.slice(fit + 1).reduce((a, b) => a + b, 0);
    const total = this.sizes.reduce((a, b) => a + b, 0);
    return {
      fraction: total > 0 ? Math.min(1, (this.doneClips + within * size) / total) : 0,
      etaSeconds: eta + perClip * after
    };
  }

  /** Closes the fits before `fit` (their wall time is measured) and starts timing `fit`. */
  private begin(fit: number): void {
    const t = this.now();
    if (this.current >= 0) {
      this.doneSeconds += (t - this.started) / 1000;
      this.doneClips += this.sizes[this.current] ?? 0;
    }
    this.current = fit;
    this.started = t;
  }
}
