/**
 * Dataset folder → trained model contents, and model + dataset → evaluation: the steps the CLI,
 * the app's training worker and the benchmarks share, so that they all do exactly the same thing.
 */
import { estimateEnergy } from '../energy/estimate';
import { checkImageSettings, type ImageSettings } from '../features/image';
import { checkLogMelSettings, FeatureError, type LogMelSettings } from '../features/logmel';
import { networkFromContents } from '../model-file/network-io';
import type { ModelContents } from '../model-file/model-file';
import type { ModelSpec } from '../spec/model-spec';
import { checkServable, resolveSpec } from '../spec/resolve';
import { disposeNetwork } from '../train/network';
import { evaluate, predictProbabilities, type Evaluation } from '../train/evaluate';
import type { Examples } from '../train/dataset';
import type { TrainResult } from '../train/trainer';
import type { TrainOptions } from '../train/train-options';
import { datasetWarnings, type DatasetWarning } from './checks';
import {
  buildExamples,
  DatasetError,
  scanDataset,
  type DatasetSource,
  type FeatureSettings,
  type Problem,
  type ScannedDataset
} from './dataset';
import {
  clipEvaluation,
  fitPart,
  mergePredictions,
  type ClipEvaluation,
  type FitSettings,
  type Fitted,
  type HeldOutPredictions,
  type ServedFit
} from './fit';
import { assignFolds, CROSS_VALIDATE_BELOW, foldCount } from './folds';
import { JobProgress, type JobEstimate } from './job-progress';
import { thresholdsFromHeldOut } from '../live/calibrate';
import type { DetectionCalibration } from '../model-file/model-file';

export { batchAugmenter, type ClipEvaluation, type ClipPrediction, type ServedFit } from './fit';

/** Energy per inference of the served model, averaged over its own training clips. */
export interface EnergySummary {
  /** Simulated accelerator energy per inference, zero activations skipped (core/energy). */
  totalPj: number;
  /** The same network as dense float32, for comparison. */
  floatDensePj: number;
  /** The clips the averages rest on. */
  clips: number;
}

/** The feature settings of a spec, checked. */
export function featureSettings(spec: ModelSpec): FeatureSettings {
  const f = spec.features as Partial<FeatureSettings> | undefined;
  if (!f) throw new FeatureError(`model ${spec.name} has no feature settings`);
  if (f.kind === 'logmel') {
    checkLogMelSettings(f as LogMelSettings);
    return { ...(f as LogMelSettings) };
  }
  if (f.kind === 'image') {
    checkImageSettings(f as ImageSettings);
    return { ...(f as ImageSettings) };
  }
  throw new FeatureError(
    `features.kind must be "logmel" or "image", got ${JSON.stringify(f.kind)}`
  );
}

function inputShape(spec: ModelSpec): [number, number, number] {
  return spec.input.shape as [number, number, number];
}

export interface PipelineProgress {
  /** scan: reading files; train: the model that will be saved; evaluate: cross-validation folds. */
  stage: 'scan' | 'train' | 'evaluate';
  /** scan: files read / total; train, evaluate: the trainer's own report. */
  done?: number;
  total?: number;
  file?: string;
  train?: Parameters<NonNullable<TrainOptions['onProgress']>>[0];
  /** evaluate: which fold trains (1-based) of how many. */
  fold?: number;
  folds?: number;
  /**
   * train, evaluate: the whole job — the served model and every fold — as a share done in
   * [0, 1] and seconds left (job-progress.ts); `train.etaSeconds` is only the current fit's.
   */
  job?: JobEstimate;
  /**
   * train: what each epoch's check accuracy (`train.validation`) is measured on: 'held-out'
   * clips, or with cross-validation to follow, the model's 'own' training clips.
   */
  check?: 'held-out' | 'own';
}

export interface TrainDatasetOptions extends Partial<Omit<TrainOptions, 'onProgress'>> {
  /** Go on when some files are unreadable (they are still reported); default false. */
  skipBad?: boolean;
  /** The background class: a name, null for none, undefined for the default (scan.ts). */
  backgroundClass?: string | null;
  onProgress?: (p: PipelineProgress) => void;
  /** ISO time stamp for the model file (injected: core has no clock of its own). */
  createdAt?: string;
  /**
   * Estimate accuracy by k-fold cross-validation when a class has fewer clips than this (default
   * {@link CROSS_VALIDATE_BELOW}); 0 always holds out a part instead.
   */
  crossValidateBelow?: number;
  /**
   * Called with the final model as soon as it exists, before cross-validation trains its folds
   * (the app saves it here, so Live can use it while the estimate is still running).
   */
  onModel?: (contents: ModelContents) => void | Promise<void>;
  /**
   * Called with each cross-validation fold's model and the clips it was judged on (file and
   * start), so that the estimate can later be repeated for the same folds without retraining
   * (post-training requantization).
   */
  onFoldModel?: (
    fold: number,
    contents: ModelContents,
    test: { file: string; at?: number }[]
  ) => void | Promise<void>;
}

export interface TrainDatasetResult {
  contents: ModelContents;
  /** The served model's accuracy on clips it was not trained on; absent if cancelled first. */
  evaluation?: ClipEvaluation;
  /** Cross-validation was stopped by the cancel signal (the model itself is complete). */
  evaluationCancelled: boolean;
  /** The served model on its own training clips (what training's loss promised). */
  served: ServedFit;
  result: Omit<TrainResult, 'network'>;
  problems: Problem[];
  warnings: DatasetWarning[];
  counts: Record<string, number>;
  examples: number;
  /** What the scan reported besides problems: files not used, per-file notes, the background. */
  scan: Pick<ScannedDataset, 'ignored' | 'notes'> & { backgroundClass?: string };
  /** Energy per inference of the served model (integer engine only). */
  energy?: EnergySummary;
  /**
   * The clips the served model was trained on (file and start in seconds of a cut clip): with a
   * hold-out, every clip but the held-out ones. A later "what if" measures on exactly these.
   */
  trainedOn: { file: string; at?: number }[];
  /**
   * Suggested live detection settings chosen from the estimate's held-out predictions
   * (core/live/calibrate.ts), whenever an estimate was made; `contents` carries them too.
   */
  detection?: DetectionCalibration;
}

/** {@link EnergySummary} of an integer model from its per-layer counts on `clips` inputs. */
export function energySummary(
  model: Parameters<typeof estimateEnergy>[0],
  layers: Parameters<typeof estimateEnergy>[1],
  clips: number
): EnergySummary {
  const e = estimateEnergy(model, layers);
  return { totalPj: e.totalPj, floatDensePj: e.floatDensePj, clips };
}

function refuseProblems(scanned: ScannedDataset, skipBad: boolean): void {
  if (scanned.problems.length && !skipBad) {
    throw new DatasetError(
      `${scanned.problems.length} file(s) could not be used (fix or remove them, or pass --skip-bad):`,
      scanned.problems
    );
  }
}

/**
 * Scans the dataset, warns about it, trains the model to serve and estimates its accuracy on
 * clips it did not see: by k-fold cross-validation when some class has fewer than
 * `crossValidateBelow` clips (the final model then trains on all of them, its last epoch kept),
 * else on a held-out tenth (the best epoch on it kept). Accuracy is the integer engine's — what
 * Live runs. Returns the model contents ready to encode; nothing is written here.
 */
export async function trainOnDataset(
  source: DatasetSource,
  spec: ModelSpec,
  options: TrainDatasetOptions = {}
): Promise<TrainDatasetResult> {
  const settings = featureSettings(spec);
  checkServable(resolveSpec(spec, 2));
  const scanned = await scanDataset(source, settings, {
    backgroundClass: options.backgroundClass,
    onProgress: (done, total, file) => options.onProgress?.({ stage: 'scan', done, total, file })
  });
  refuseProblems(scanned, options.skipBad ?? false);
  const warnings = datasetWarnings(scanned, settings);
  const seed = options.seed ?? 1;
  const {
    onProgress,
    skipBad: _skip,
    createdAt,
    crossValidateBelow,
    onModel,
    onFoldModel,
    backgroundClass: _bg,
    ...trainOpts
  } = options;
  const base: FitSettings = { spec, settings, trainOpts: { ...trainOpts, seed }, createdAt };
  const labels = Int32Array.from(scanned.items, (it) => it.label);
  const files = scanned.items.map((it) => it.file);
  const classes = scanned.labels.length;
  const below = crossValidateBelow ?? CROSS_VALIDATE_BELOW;
  const kfold = scanned.counts.some((n) => n < below);
  const all = scanned.items.map((_, i) => i);
  // The job's fits in order, so that progress and time left cover all of them.
  const k = kfold ? foldCount(scanned.counts) : 0;
  const folds = kfold ? foldsOf(assignFolds(labels, files, classes, k, seed), all, k) : [];
  const split = kfold
    ? undefined
    : // A held-out tenth (grouped by file), split off before augmentation.
      assignFolds(
        labels,
        files,
        classes,
        Math.max(2, Math.round(1 / (options.validationFraction ?? 0.1))),
        seed
      );
  const trainIdx = split ? all.filter((i) => split[i] !== 0) : all;
  const job = new JobProgress(
    [trainIdx.length, ...folds.map((f) => all.length - f.test.length)],
    options.now ?? (() => Date.now())
  );
  const report = (p: PipelineProgress['train']) =>
    onProgress?.({
      stage: 'train',
      train: p,
      job: job.report(0, p!),
      check: kfold ? 'own' : 'held-out'
    });
  let fitted: Fitted;
  let evaluation: ClipEvaluation | undefined;
  let detection: DetectionCalibration | undefined;
  // The classes never announced live: the background class keeps its default threshold.
  const background = scanned.backgroundLabel === undefined ? [] : [scanned.backgroundLabel];
  if (split) {
    const held = all.filter((i) => split[i] === 0);
    fitted = await fitPart(scanned, trainIdx, held, base, report, true);
    evaluation = clipEvaluation(fitted.heldOut!, 'holdout', 1, fitted.engine);
    detection = suggestedDetection(fitted.heldOut!, background, 'held-out tenth');
    fitted = { ...fitted, contents: { ...fitted.contents, detection } };
  } else {
    fitted = await fitPart(scanned, all, [], base, report, false);
  }
  await onModel?.(fitted.contents);
  let evaluationCancelled = false;
  if (kfold && !fitted.result.cancelled) {
    // The n-th fold that trains is the job's fit n + 1 (the served model was fit 0).
    const progress = (n: number, p: PipelineProgress['train']) =>
      onProgress?.({
        stage: 'evaluate',
        fold: folds[n].fold + 1,
        folds: k,
        train: p,
        job: job.report(n + 1, p!)
      });
    const cv = await crossValidate(scanned, folds, k, base, progress, onFoldModel);
    evaluation = cv?.evaluation;
    evaluationCancelled = cv === undefined;
    if (cv) {
      detection = suggestedDetection(cv.predictions, background, `${k}-fold cross-validation`);
      fitted = { ...fitted, contents: { ...fitted.contents, detection } };
    }
  }
  const counts = Object.fromEntries(scanned.labels.map((l, i) => [l, scanned.counts[i]]));
  const energy =
    fitted.contents.int && fitted.layers
      ? energySummary(fitted.contents.int, fitted.layers, fitted.served.clips)
      : undefined;
  return {
    energy,
    contents: fitted.contents,
    evaluation,
    evaluationCancelled,
    ...(detection && { detection }),
    served: fitted.served,
    result: fitted.result,
    problems: scanned.problems,
    warnings,
    counts,
    examples: fitted.examples,
    trainedOn: trainIdx.map((i) => {
      const { file, at } = scanned.items[i];
      return at === undefined ? { file } : { file, at };
    }),
    scan: {
      ignored: scanned.ignored,
      notes: scanned.notes,
      backgroundClass:
        scanned.backgroundLabel === undefined ? undefined : scanned.labels[scanned.backgroundLabel]
    }
  };
}

/** Thresholds and averaging from held-out predictions, as the model file stores them. */
function suggestedDetection(
  p: HeldOutPredictions,
  background: number[],
  source: string
): DetectionCalibration {
  const { thresholds, average, basis } = thresholdsFromHeldOut(p, background, source);
  return { thresholds, average, basis };
}

/** A cross-validation fold that has clips: its index (0 … k−1) and its test clips. */
interface FoldPlan {
  fold: number;
  test: number[];
}

function foldsOf(fold: Int32Array, all: number[], k: number): FoldPlan[] {
  const out: FoldPlan[] = [];
  for (let f = 0; f < k; f++) {
    const test = all.filter((i) => fold[i] === f);
    if (test.length) out.push({ fold: f, test });
  }
  return out;
}

/**
 * k-fold cross-validation of the settings in `base` on the scanned clips: every clip is predicted
 * once, by the integer engine of a model trained without its fold (`folds`: each fold's test
 * clips), with the merged predictions it rests on. Undefined when cancelled.
 */
async function crossValidate(
  scanned: ScannedDataset,
  folds: FoldPlan[],
  k: number,
  base: FitSettings,
  /** `n`: the n-th fold of `folds` (0-based). */
  onProgress: (n: number, p: PipelineProgress['train']) => void,
  onFoldModel?: TrainDatasetOptions['onFoldModel']
): Promise<{ evaluation: ClipEvaluation; predictions: HeldOutPredictions } | undefined> {
  const all = scanned.items.map((_, i) => i);
  const parts: HeldOutPredictions[] = [];
  let engine: 'int' | 'float' = 'int';
  for (const [n, { fold, test }] of folds.entries()) {
    const inTest = new Set(test);
    const fitted = await fitPart(
      scanned,
      all.filter((i) => !inTest.has(i)),
      test,
      base,
      (p) => onProgress(n, p),
      false
    );
    if (fitted.result.cancelled) return undefined;
    parts.push(fitted.heldOut!);
    await onFoldModel?.(
      fold + 1,
      fitted.contents,
      test.map((i) => {
        const { file, at } = scanned.items[i];
        return at === undefined ? { file } : { file, at };
      })
    );
    if (fitted.engine === 'float') engine = 'float';
  }
  const predictions = mergePredictions(parts);
  return { evaluation: clipEvaluation(predictions, 'k-fold', k, engine), predictions };
}

/** Features of a dataset for an existing model (its labels, its stored feature settings). */
export async function examplesForModel(
  source: DatasetSource,
  contents: ModelContents,
  options: {
    skipBad?: boolean;
    backgroundClass?: string | null;
    onProgress?: (p: PipelineProgress) => void;
  } = {}
): Promise<
  { examples: Examples; problems: Problem[]; files: string[] } & TrainDatasetResult['scan']
> {
  const settings = featureSettings(contents.spec);
  const scanned = await scanDataset(source, settings, {
    labels: contents.labels,
    backgroundClass: options.backgroundClass,
    onProgress: (done, total, file) => options.onProgress?.({ stage: 'scan', done, total, file })
  });
  refuseProblems(scanned, options.skipBad ?? false);
  if (scanned.items.length === 0) throw new DatasetError('the dataset holds no usable files');
  const examples = buildExamples(scanned, settings, inputShape(contents.spec));
  return {
    examples,
    problems: scanned.problems,
    files: scanned.items.map((it) => it.file),
    ignored: scanned.ignored,
    notes: scanned.notes
  };
}

/** Evaluates stored model contents on examples with the fake-quantized tfjs network. */
export function evaluateContents(contents: ModelContents, examples: Examples): Evaluation {
  const net = networkFromContents(contents);
  try {
    return evaluate(net, examples);
  } finally {
    disposeNetwork(net);
  }
}

/** Class probabilities for examples, [count × classes]. */
export function predictContents(contents: ModelContents, examples: Examples): Float32Array {
  const net = networkFromContents(contents);
  try {
    return predictProbabilities(net, examples);
  } finally {
    disposeNetwork(net);
  }
}
