/**
 * Dataset folder → trained model contents, and model + dataset → evaluation: the steps the CLI,
 * the app's training worker and the benchmarks share, so that they all do exactly the same thing.
 */
import type { EnergyEstimate } from '../energy/estimate';
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
import {
  addOtherSounds,
  BaseError,
  isOtherSoundsClass,
  startedFromLabel,
  type FromBase
} from './base';
import { datasetChecks, type DatasetWarning } from './checks';
import {
  buildExamples,
  DatasetError,
  FINE_TUNE_AUDIO_AUGMENT,
  scanDataset,
  type DatasetSource,
  type AudioAugmentOptions,
  type FeatureSettings,
  type Problem,
  type ScannedDataset
} from './dataset';
import {
  clipEvaluation,
  fitPart,
  mergePredictions,
  type ClipEvaluation,
  type EstimateBasis,
  type FitSettings,
  type Fitted,
  type HeldOutPredictions,
  type ServedFit
} from './fit';
import { assignFolds, foldCount, groupsPerClass } from './folds';
import { independentGroups, oneSessionEvidence } from './groups';
import { readHeldOutLists } from './held-out-lists';
import { JobProgress, type JobEstimate } from './job-progress';
import { thresholdsFromHeldOut } from '../live/calibrate';
import type { DetectionCalibration } from '../model-file/model-file';

export {
  batchAugmenter,
  type ClipEvaluation,
  type ClipPrediction,
  type EstimateBasis,
  type ServedFit
} from './fit';

/**
 * Energy per inference of the served model, averaged over its own training clips (un-augmented):
 * the mean of each clip's estimate, the computation Live's meter makes on every window.
 */
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
   * train: what each epoch's check accuracy (`train.validation`) is measured on: the model's
   * 'own' training clips (the held-out ones are never used to pick an epoch); 'held-out' in runs
   * from before.
   */
  check?: 'held-out' | 'own';
}

/**
 * Clips of "other sounds" a run from a sound base adds, as a multiple of the largest word class
 * (speech-commands trains its `_unknown_` class at about the size of a word class). Chosen on the
 * generalize bench's material of another seed than the one it reports: 1.5 × gave 81.0 % of
 * unseen-voice takes and 12 of 23 living-room words, 1 × 86.1 % and 15 of 23 at the same false
 * alarms, 0.6 × 94.8 % but 53 false alarms in 2 minutes.
 */
export const OTHER_SOUNDS_PER_LARGEST_CLASS = 1;

export interface TrainDatasetOptions extends Partial<Omit<TrainOptions, 'onProgress' | 'start'>> {
  /**
   * Start from a base (its layers, features and standardisation; `spec` must be the base's spec
   * with the person's settings, specFromBase) instead of random values. A sound run then also
   * gets the automatic "other sounds" class from the base's pack.
   */
  from?: FromBase;
  /** Audio augmentation of training clips (default: DEFAULT_AUDIO_AUGMENT, from a base FINE_TUNE_AUDIO_AUGMENT). */
  audioAugment?: AudioAugmentOptions;
  /** Go on when some files are unreadable (they are still reported); default false. */
  skipBad?: boolean;
  /** The background class: a name, null for none, undefined for the default (scan.ts). */
  backgroundClass?: string | null;
  onProgress?: (p: PipelineProgress) => void;
  /** ISO time stamp for the model file (injected: core has no clock of its own). */
  createdAt?: string;
  /**
   * Estimate the accuracy on clips the model was not trained on (default true). False trains only
   * the model to serve, on every clip, and leaves `evaluation` undefined (tests that need no figure).
   */
  estimate?: boolean;
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
  /** `base:<name>@<hash>` or `scratch`, and which layers trained ('all' from scratch). */
  startedFrom: string;
  trainedLayers: string;
  /** Classes the run added itself (e.g. "other sounds"), with their clip counts. */
  automaticClasses: { name: string; clips: number; about: string }[];
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

/**
 * {@link EnergySummary} of the mean energy estimate over `clips` inputs (evaluateInt's `energy`:
 * the mean of each input's own estimate, so the mean of what Live's meter shows on them).
 */
export function energySummary(mean: EnergyEstimate, clips: number): EnergySummary {
  return { totalPj: mean.totalPj, floatDensePj: mean.floatDensePj, clips };
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
 * clips it did not see, the same way at every size: grouped k-fold cross-validation (folds.ts;
 * k = 5, fewer when a class has fewer independent groups; groups.ts) with the served model
 * trained on every clip, its last epoch kept. When the dataset root holds Speech Commands'
 * `validation_list.txt` / `testing_list.txt`, the listed clips are held out instead and the
 * served model never trains on them. Accuracy is the integer engine's — what Live runs. Returns
 * the model contents ready to encode; nothing is written here. Throws DatasetError when the lists
 * leave a class with nothing to train on.
 */
export async function trainOnDataset(
  source: DatasetSource,
  spec: ModelSpec,
  options: TrainDatasetOptions = {}
): Promise<TrainDatasetResult> {
  const settings = featureSettings(spec);
  checkServable(resolveSpec(spec, 2));
  const from = options.from;
  if (from) checkBaseFeatures(settings, from);
  let scanned = await scanDataset(source, settings, {
    backgroundClass: options.backgroundClass,
    onProgress: (done, total, file) => options.onProgress?.({ stage: 'scan', done, total, file })
  });
  refuseProblems(scanned, options.skipBad ?? false);
  const { warnings, repeats } = datasetChecks(scanned, settings);
  const seed = options.seed ?? 1;
  const automaticClasses: TrainDatasetResult['automaticClasses'] = [];
  if (from && settings.kind === 'logmel' && from.base.others.clips.length > 0) {
    const words = scanned.counts.filter((_, i) => i !== scanned.backgroundLabel);
    const want = Math.round(OTHER_SOUNDS_PER_LARGEST_CLASS * Math.max(1, ...words));
    const before = scanned.items.length;
    scanned = addOtherSounds(scanned, from.base, want, seed);
    const added = scanned.items.length - before;
    if (added > 0) {
      automaticClasses.push({
        name: scanned.labels[scanned.items[before].label],
        clips: added,
        about: `${added} one-second clips of other words and speech from ${from.base.name}'s corpus, so that speech that is none of your words is not heard as one`
      });
    }
  }
  const {
    onProgress,
    skipBad: _skip,
    createdAt,
    estimate = true,
    onModel,
    onFoldModel,
    backgroundClass: _bg,
    from: _from,
    audioAugment,
    ...trainOpts
  } = options;
  const startedFrom = startedFromLabel(from?.base);
  const trainedLayers = from ? from.train : 'all';
  const base: FitSettings = {
    spec,
    settings,
    trainOpts: {
      ...trainOpts,
      seed,
      ...(from ? { start: { base: from.base.contents, train: from.train } } : {})
    },
    createdAt,
    audioAugment: audioAugment ?? (from ? FINE_TUNE_AUDIO_AUGMENT : undefined),
    ...(from
      ? {
          masks: true,
          record: {
            startedFrom,
            trainedLayers,
            ...(automaticClasses.length
              ? { automaticClasses: automaticClasses.map((c) => c.name).join(', ') }
              : {})
          }
        }
      : {})
  };
  const labels = Int32Array.from(scanned.items, (it) => it.label);
  const classes = scanned.labels.length;
  const all = scanned.items.map((_, i) => i);
  const independence = independentGroups(scanned, repeats, settings);
  const groupedBy = Object.keys(independence.joined);
  const oneSession = oneSessionEvidence(scanned, independence);
  const lists = estimate ? await readHeldOutLists(source) : undefined;
  const listed = lists ? all.filter((i) => lists.entries.has(entryOf(scanned.items[i]))) : [];
  const byLists = listed.length > 0;
  if (byLists) refuseEmptyTraining(scanned, listed, lists!.names);
  const kfold = estimate && !byLists;
  const bgExcept = scanned.backgroundLabel === undefined ? [] : [scanned.backgroundLabel];
  const k = kfold ? foldCount(groupsPerClass(labels, independence.group, classes), bgExcept) : 0;
  const assigned = kfold ? assignFolds(labels, independence.group, classes, k, seed) : undefined;
  const folds = assigned ? foldsOf(assigned.fold, all, k) : [];
  const basis: EstimateBasis = {
    groups: independence.count,
    groupedBy,
    blockSplit: (assigned?.blockSplit ?? []).map((c) => scanned.labels[c]),
    ...(byLists ? { lists: lists!.names } : {}),
    ...(oneSession ? { oneSession } : {})
  };
  const inList = new Set(listed);
  const trainIdx = byLists ? all.filter((i) => !inList.has(i)) : all;
  // The job's fits in order, so that progress and time left cover all of them.
  const job = new JobProgress(
    [trainIdx.length, ...folds.map((f) => all.length - f.test.length)],
    options.now ?? (() => Date.now())
  );
  const report = (p: PipelineProgress['train']) =>
    onProgress?.({ stage: 'train', train: p, job: job.report(0, p!), check: 'own' });
  let fitted: Fitted = await fitPart(scanned, trainIdx, listed, base, report, false);
  let evaluation: ClipEvaluation | undefined;
  let detection: DetectionCalibration | undefined;
  // The classes never announced live (background, "other sounds") keep their default threshold.
  const silent = scanned.labels
    .map((l, i) => (i === scanned.backgroundLabel || isOtherSoundsClass(l) ? i : -1))
    .filter((i) => i >= 0);
  if (byLists) {
    evaluation = { ...clipEvaluation(fitted.heldOut!, 'listed', 1, fitted.engine), basis };
    detection = suggestedDetection(fitted.heldOut!, silent, lists!.names.join(' and '));
    fitted = { ...fitted, contents: { ...fitted.contents, detection } };
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
    evaluation = cv && { ...cv.evaluation, basis };
    evaluationCancelled = cv === undefined;
    if (cv) {
      detection = suggestedDetection(cv.predictions, silent, `${k}-fold cross-validation`);
      fitted = { ...fitted, contents: { ...fitted.contents, detection } };
    }
  }
  const counts = Object.fromEntries(scanned.labels.map((l, i) => [l, scanned.counts[i]]));
  const energy =
    fitted.contents.int && fitted.energy
      ? energySummary(fitted.energy, fitted.served.clips)
      : undefined;
  return {
    energy,
    startedFrom,
    trainedLayers,
    automaticClasses,
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

/** A run from a base must compute the base's features, standardisation included. */
function checkBaseFeatures(settings: FeatureSettings, from: FromBase): void {
  const own = JSON.stringify(settings);
  const base = JSON.stringify(featureSettings(from.base.contents.spec));
  if (own !== base) {
    throw new BaseError(
      `the run's feature settings differ from ${from.base.name}'s; a run from a base uses the base's (specFromBase)`
    );
  }
}

/** An item's `<class folder>/<path>` as list files name it (NFC). */
function entryOf(item: ScannedDataset['items'][number]): string {
  return (item.entry ?? item.file).replace(/\\/g, '/').normalize('NFC');
}

/** Throws DatasetError when holding out the listed clips leaves a class with none to train on. */
function refuseEmptyTraining(scanned: ScannedDataset, listed: number[], names: string[]): void {
  const left = [...scanned.counts];
  for (const i of listed) left[scanned.items[i].label]--;
  const empty = scanned.labels.filter((_, c) => scanned.counts[c] > 0 && left[c] === 0);
  if (empty.length) {
    throw new DatasetError(
      `${names.join(' and ')} hold out every clip of ${empty.map((c) => JSON.stringify(c)).join(', ')}: nothing of it is left to train on (remove its files from the lists)`
    );
  }
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
