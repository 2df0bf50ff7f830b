/**
 * Dataset folder → trained model contents, and model + dataset → evaluation: the steps the CLI,
 * the app's training worker and the benchmarks share, so that they all do exactly the same thing.
 */
import { checkImageSettings, type ImageSettings } from '../features/image';
import { checkLogMelSettings, FeatureError, type LogMelSettings } from '../features/logmel';
import { ConvertError, convertToInt } from '../engine/convert';
import { networkFromContents, networkToContents } from '../model-file/network-io';
import type { ModelContents } from '../model-file/model-file';
import type { ModelSpec } from '../spec/model-spec';
import { scaleBrightness, shiftFrames, shiftImages } from './augment';
import { disposeNetwork } from '../train/network';
import { evaluate, predictProbabilities, type Evaluation } from '../train/evaluate';
import { stratifiedSplit, type Examples } from '../train/dataset';
import { train, type TrainResult } from '../train/trainer';
import type { TrainOptions } from '../train/train-options';
import {
  buildExamples,
  DatasetError,
  DEFAULT_AUDIO_AUGMENT,
  fitStandardisation,
  scanDataset,
  standardise,
  type DatasetSource,
  type FeatureSettings,
  type Problem,
  type ScannedDataset
} from './dataset';

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
  stage: 'scan' | 'train';
  /** scan: files read / total; train: the trainer's own report. */
  done?: number;
  total?: number;
  file?: string;
  train?: Parameters<NonNullable<TrainOptions['onProgress']>>[0];
}

export interface TrainDatasetOptions extends Partial<Omit<TrainOptions, 'onProgress'>> {
  /** Go on when some files are unreadable (they are still reported); default false. */
  skipBad?: boolean;
  /** The background class: a name, null for none, undefined for the default (scan.ts). */
  backgroundClass?: string | null;
  onProgress?: (p: PipelineProgress) => void;
  /** ISO time stamp for the model file (injected: core has no clock of its own). */
  createdAt?: string;
}

export interface TrainDatasetResult {
  contents: ModelContents;
  /** The returned model on the validation split: per-class recall and confusion. */
  validation: Evaluation;
  result: Omit<TrainResult, 'network'>;
  problems: Problem[];
  counts: Record<string, number>;
  examples: number;
  /** What the scan reported besides problems: files not used, per-file notes, the background. */
  scan: Pick<ScannedDataset, 'ignored' | 'notes'> & { backgroundClass?: string };
}

/** Batch augmentation matching the feature kind (time shifts / pixel shifts). */
export function batchAugmenter(
  settings: FeatureSettings,
  shape: [number, number, number]
): TrainOptions['augment'] {
  if (settings.kind === 'logmel') return (x, _y, rng) => shiftFrames(x, shape, 3, rng);
  const max = Math.max(1, Math.round(Math.min(shape[0], shape[1]) / 14));
  return (x, _y, rng) => {
    shiftImages(x, shape, max, rng);
    scaleBrightness(x, shape[0] * shape[1] * shape[2], 0.2, rng);
  };
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
 * Scans the dataset, builds features (audio: with augmented copies and a fitted standardisation),
 * trains, and returns the model contents ready to encode. Nothing is written here.
 */
export async function trainOnDataset(
  source: DatasetSource,
  spec: ModelSpec,
  options: TrainDatasetOptions = {}
): Promise<TrainDatasetResult> {
  const settings = featureSettings(spec);
  const shape = inputShape(spec);
  const scanned = await scanDataset(source, settings, {
    backgroundClass: options.backgroundClass,
    onProgress: (done, total, file) => options.onProgress?.({ stage: 'scan', done, total, file })
  });
  refuseProblems(scanned, options.skipBad ?? false);
  const seed = options.seed ?? 1;
  // Validation is split off before augmentation so no copy of a validation clip is trained on.
  const labelsOf = Int32Array.from(scanned.items, (it) => it.label);
  const split = stratifiedSplit(
    labelsOf,
    scanned.labels.length,
    options.validationFraction ?? 0.1,
    seed
  );
  const pick = (idx: number[]): ScannedDataset => ({
    ...scanned,
    items: idx.map((i) => scanned.items[i])
  });
  const trainPart = pick(split.train);
  const valPart = split.validation.length ? pick(split.validation) : trainPart;
  const audio = settings.kind === 'logmel';
  const trainSet = buildExamples(trainPart, settings, shape, {
    augment: audio ? DEFAULT_AUDIO_AUGMENT : undefined,
    seed
  });
  const valSet = buildExamples(valPart, settings, shape);
  let stored: FeatureSettings = settings;
  if (audio) {
    const fit = fitStandardisation(trainSet.x);
    standardise(trainSet.x, fit);
    if (valSet !== trainSet) standardise(valSet.x, fit);
    stored = { ...settings, mean: fit.mean, std: fit.std };
  }
  const { onProgress, skipBad: _skip, createdAt, backgroundClass: _bg, ...trainOpts } = options;
  const run = await train(
    spec,
    trainSet,
    {
      augment: batchAugmenter(settings, shape),
      ...trainOpts,
      seed,
      onProgress: (p) => onProgress?.({ stage: 'train', train: p })
    },
    valSet
  );
  const storedSpec: ModelSpec = { ...spec, features: { ...stored } };
  const { network, ...result } = run;
  try {
    const validation = evaluate(network, valSet);
    const contents = networkToContents(
      network,
      storedSpec,
      scanned.labels,
      {
        validationAccuracy: run.validationAccuracy,
        epochs: run.history.length,
        samplesPerSecond: run.samplesPerSecond,
        seed,
        trainExamples: trainSet.count
      },
      createdAt ?? ''
    );
    try {
      contents.int = convertToInt(contents);
    } catch (e) {
      // Float weights or activations: the model is still usable through tfjs, just not as integers.
      if (!(e instanceof ConvertError)) throw e;
    }
    const counts = Object.fromEntries(scanned.labels.map((l, i) => [l, scanned.counts[i]]));
    return {
      contents,
      result,
      validation,
      problems: scanned.problems,
      counts,
      examples: trainSet.count,
      scan: {
        ignored: scanned.ignored,
        notes: scanned.notes,
        backgroundClass:
          scanned.backgroundLabel === undefined
            ? undefined
            : scanned.labels[scanned.backgroundLabel]
      }
    };
  } finally {
    disposeNetwork(network);
  }
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
