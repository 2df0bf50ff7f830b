import type { Augmenter } from '../data/augment';
import type { ModelSpec, TrainingDefaults } from '../spec/model-spec';
import type { BaseStart } from './fine-tune';

/** One progress report; `phase` says which part of the run it comes from. */
export interface TrainProgress {
  phase: 'train' | 'validate' | 'quantize';
  /** 1-based epoch within the current phase; `round` counts iterative-quantization rounds. */
  epoch: number;
  epochs: number;
  round: number;
  batch: number;
  batches: number;
  /** Running mean over the epoch so far. */
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
  /** Estimated seconds left in this phase. */
  etaSeconds: number;
  /** Set on the report that closes an epoch. */
  validation?: { accuracy: number; loss: number };
}

/** Anything with an `aborted` flag: an AbortSignal, or a plain object a worker flips. */
export interface CancelSignal {
  readonly aborted: boolean;
}

export interface TrainOptions extends TrainingDefaults {
  seed: number;
  /** Fraction of each class held out when no validation set is given (default 0.1). */
  validationFraction: number;
  /** Stop after this many epochs without a better validation accuracy; 0 = never. */
  patience: number;
  /**
   * "Probabilistic learning": after every step, each low-precision weight is stochastically
   * rounded to a neighbouring level of its grid, so weights live on the grid during training.
   */
  probabilistic: boolean;
  /** Rounds of k-means snapping + retraining after the main run (PAPERS.md §3); 0 = off. */
  iterativeRounds: number;
  /** Epochs of retraining in each iterative round. */
  iterativeEpochs: number;
  /**
   * Keep the weights of the epoch with the best validation accuracy (default); false keeps the
   * last epoch's (for a final model trained on all the data, with nothing held out to choose by).
   */
  keepBest: boolean;
  /** Examples that calibrate the final model's running statistics (a seeded sample; 512). */
  calibrationExamples: number;
  /**
   * Examples that calibrate the running statistics after each epoch, for that epoch's validation
   * only (a seeded sample; default 32, one batch). The kept epoch is calibrated again on
   * `calibrationExamples` at the end, so this trades only the precision of the per-epoch check
   * for speed: on a first project (~90 examples, 20 epochs) full per-epoch calibration cost ~1 s.
   */
  epochCalibrationExamples: number;
  /** Begin from a base's layers instead of random values, training only some (fine-tune.ts). */
  start?: BaseStart;
  /** Changes each training batch in place (a fresh copy) before the step; never validation data. */
  augment?: Augmenter;
  onProgress?: (p: TrainProgress) => void;
  signal?: CancelSignal;
  /** Milliseconds; injected so core needs no platform clock. */
  now: () => number;
  /** Lets the host's event loop run between batches (so a cancel message can arrive). */
  yieldToHost: () => Promise<void>;
}

const FALLBACK: TrainingDefaults = {
  optimizer: 'adam',
  learningRate: 0.003,
  l2: 1e-4,
  batchSize: 32,
  epochs: 10,
  schedule: 'cosine'
};

/** Options for a spec: its own training defaults, then Quench's, then the caller's overrides. */
export function resolveTrainOptions(spec: ModelSpec, given: Partial<TrainOptions>): TrainOptions {
  const defaults = { ...FALLBACK, ...spec.training };
  const opts: TrainOptions = {
    ...defaults,
    seed: 1,
    validationFraction: 0.1,
    patience: 0,
    probabilistic: false,
    iterativeRounds: 0,
    iterativeEpochs: 2,
    keepBest: true,
    calibrationExamples: 512,
    epochCalibrationExamples: 32,
    now: () => Date.now(),
    yieldToHost: () => new Promise((resolve) => setTimeout(resolve, 0)),
    ...stripUndefined(given)
  };
  if (!(opts.validationFraction >= 0 && opts.validationFraction < 1)) {
    throw new RangeError(`validationFraction must be in [0, 1), got ${opts.validationFraction}`);
  }
  for (const k of [
    'epochs',
    'batchSize',
    'iterativeEpochs',
    'calibrationExamples',
    'epochCalibrationExamples'
  ] as const) {
    if (!Number.isInteger(opts[k]) || opts[k] < 1)
      throw new RangeError(`${k} must be a positive integer`);
  }
  if (!Number.isInteger(opts.iterativeRounds) || opts.iterativeRounds < 0) {
    throw new RangeError('iterativeRounds must be a non-negative integer');
  }
  if (!(opts.learningRate > 0)) throw new RangeError('learningRate must be positive');
  if (!(opts.l2 >= 0)) throw new RangeError('l2 must be non-negative');
  return opts;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
