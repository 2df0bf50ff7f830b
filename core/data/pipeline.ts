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
  const report = (p: PipelineProgress['train']) => onProgress?.({ stage: 'train', train: p });
  let fitted: Fitted;
  let evaluation: ClipEvaluation | undefined;
  if (kfold) {
    fitted = await fitPart(scanned, all, [], base, report, false);
  } else {
    // A held-out tenth (grouped by file), split off before augmentation.
    const k = Math.max(2, Math.round(1 / (options.validationFraction ?? 0.1)));
    const fold = assignFolds(labels, files, classes, k, seed);
    const held = all.filter((i) => fold[i] === 0);
    fitted = await fitPart(
      scanned,
      all.filter((i) => fold[i] !== 0),
      held,
      base,
      report,
      true
    );
    evaluation = clipEvaluation(fitted.heldOut!, 'holdout', 1, fitted.engine);
  }
  await onModel?.(fitted.contents);
  let evaluationCancelled = false;
  if (kfold && !fitted.result.cancelled) {
    evaluation = await crossValidate(scanned, labels, files, base, onProgress, onFoldModel);
    evaluationCancelled = evaluation === undefined;
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
    served: fitted.served,
    result: fitted.result,
    problems: scanned.problems,
    warnings,
    counts,
    examples: fitted.examples,
    scan: {
      ignored: scanned.ignored,
      notes: scanned.notes,
      backgroundClass:
        scanned.backgroundLabel === undefined ? undefined : scanned.labels[scanned.backgroundLabel]
    }
  };
}

/**
 * k-fold cross-validation of the settings in `base` on the scanned clips: every clip is predicted
 * once, by the integer engine of a model trained without its fold. Undefined when cancelled.
 */
async function crossValidate(
  scanned: ScannedDataset,
  labels: Int32Array,
  files: string[],
  base: FitSettings,
  onProgress: TrainDatasetOptions['onProgress'],
  onFoldModel?: TrainDatasetOptions['onFoldModel']
): Promise<ClipEvaluation | undefined> {
  const k = foldCount(scanned.counts);
  const fold = assignFolds(labels, files, scanned.labels.length, k, base.trainOpts.seed!);
  const all = scanned.items.map((_, i) => i);
  const parts: HeldOutPredictions[] = [];
  let engine: 'int' | 'float' = 'int';
  for (let f = 0; f < k; f++) {
    const test = all.filter((i) => fold[i] === f);
    if (test.length === 0) continue;
    const fitted = await fitPart(
      scanned,
      all.filter((i) => fold[i] !== f),
      test,
      base,
      (p) => onProgress?.({ stage: 'evaluate', fold: f + 1, folds: k, train: p }),
      false
    );
    if (fitted.result.cancelled) return undefined;
    parts.push(fitted.heldOut!);
    await onFoldModel?.(
      f + 1,
      fitted.contents,
      test.map((i) => {
        const { file, at } = scanned.items[i];
        return at === undefined ? { file } : { file, at };
      })
    );
    if (fitted.engine === 'float') engine = 'float';
  }
  return clipEvaluation(mergePredictions(parts), 'k-fold', k, engine);
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
