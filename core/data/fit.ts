/**
 * One model fitted on a part of a scanned dataset and judged the way it will be served: features
 * (audio: augmented copies, a standardisation fitted on the part), training, conversion to the
 * integer engine, then predictions of that engine on held-out clips and on its own training clips.
 * The pipeline's hold-out, final model and cross-validation folds all go through here.
 */
import { ConvertError, convertToInt } from '../engine/convert';
import { evaluateInt, type LayerSummary } from '../engine/evaluate-int';
import type { EnergyEstimate } from '../energy/estimate';
import type { ModelContents } from '../model-file/model-file';
import { networkToContents } from '../model-file/network-io';
import type { ModelSpec } from '../spec/model-spec';
import type { Examples } from '../train/dataset';
import { predictProbabilities, scoreProbabilities, type Evaluation } from '../train/evaluate';
import { disposeNetwork } from '../train/network';
import { train, type TrainResult } from '../train/trainer';
import type { TrainOptions } from '../train/train-options';
import { maskSpectrograms, scaleBrightness, shiftFrames, shiftImages } from './augment';
import {
  buildExamples,
  DEFAULT_AUDIO_AUGMENT,
  type AudioAugmentOptions,
  fitStandardisation,
  standardise,
  type FeatureSettings,
  type ScannedDataset
} from './dataset';

/**
 * Batch augmentation matching the feature kind (time shifts / pixel shifts and brightness); with
 * `masks`, spectrograms also get SpecAugment's time and frequency masks (up to 6 frames, 5 bands).
 */
export function batchAugmenter(
  settings: FeatureSettings,
  shape: [number, number, number],
  masks = false
): TrainOptions['augment'] {
  if (settings.kind === 'logmel') {
    return (x, _y, rng) => {
      shiftFrames(x, shape, 3, rng);
      if (masks) maskSpectrograms(x, shape, 6, 5, rng);
    };
  }
  const max = Math.max(1, Math.round(Math.min(shape[0], shape[1]) / 14));
  return (x, _y, rng) => {
    shiftImages(x, shape, max, rng);
    scaleBrightness(x, shape[0] * shape[1] * shape[2], 0.2, rng);
  };
}

export interface FitSettings {
  spec: ModelSpec;
  settings: FeatureSettings;
  trainOpts: Partial<Omit<TrainOptions, 'onProgress'>>;
  createdAt?: string;
  /** Audio augmentation of training clips (default DEFAULT_AUDIO_AUGMENT). */
  audioAugment?: AudioAugmentOptions;
  /** SpecAugment masks on training batches (batchAugmenter). */
  masks?: boolean;
  /** Recorded in the model's metrics (what the run started from, which layers trained …). */
  record?: Record<string, string>;
}

/** Class probabilities for some clips, with their labels and files. */
export interface HeldOutPredictions {
  probabilities: Float32Array;
  labels: Int32Array;
  files: string[];
  /** Per clip: where in its file it starts, seconds (undefined: the whole file). */
  at?: (number | undefined)[];
  classes: number;
}

/** One evaluated clip: its file, where it starts, true and predicted class, top probability. */
export interface ClipPrediction {
  file: string;
  at?: number;
  label: number;
  predicted: number;
  confidence: number;
}

/**
 * What an estimate rests on besides its method: how the clips were kept apart, and what a person
 * should know before trusting it.
 */
export interface EstimateBasis {
  /** Independent groups of clips (groups.ts) the folds were made of. */
  groups: number;
  /** What joined clips into one group: 'file', 'copy', 'same-take', 'speaker', 'burst', 'near-copy'. */
  groupedBy: string[];
  /** Classes with fewer groups than folds, whose clips were split into contiguous blocks. */
  blockSplit: string[];
  /** 'listed': the list files that named the held-out clips (Speech Commands'). */
  lists?: string[];
  /** Why every clip looks like one recording session (groups.ts), when it does. */
  oneSession?: string;
}

/** How well the served model did on clips it was not trained on. */
export interface ClipEvaluation {
  /**
   * 'k-fold': grouped k-fold cross-validation, every clip judged once by a model trained without
   * its group; 'listed': the clips the dataset's own lists hold out (Speech Commands), judged by
   * the served model, trained without them; 'holdout': a held-out part (runs before grouped folds).
   */
  method: 'holdout' | 'k-fold' | 'listed';
  /** k for k-fold; 1 for a hold-out. */
  folds: number;
  /** 'int': the integer engine (what Live runs); 'float': the fake-quantized tfjs model. */
  engine: 'int' | 'float';
  /** Share of evaluated clips predicted right. */
  accuracy: number;
  /**
   * The headline: mean of per-class recall over the classes with evaluated clips (balanced
   * accuracy, Brodersen et al., ICPR 2010), so a large class can't hide a weak one.
   */
  balancedAccuracy: number;
  basis?: EstimateBasis;
  /** Clips the accuracy rests on. */
  clips: number;
  /** Per class: recall, or null when no clip of the class was evaluated. */
  perClass: (number | null)[];
  /** Evaluated clips per class. */
  classClips: number[];
  /** confusion[true][predicted]. */
  confusion: number[][];
  /** The clips predicted wrongly: file, true and predicted class index. */
  mistakes: { file: string; label: number; predicted: number }[];
  /** Every evaluated clip's prediction (the confusion matrix's cells, clip by clip). */
  predictions: ClipPrediction[];
}

/** The served model on its own training clips (un-augmented). */
export interface ServedFit {
  clips: number;
  accuracy: number;
  loss: number;
  meanTopProbability: number;
  /** The last training epoch's mean training loss, for comparison (none if cancelled in epoch 1). */
  trainingLoss?: number;
}

export interface Fitted {
  contents: ModelContents;
  result: Omit<TrainResult, 'network'>;
  engine: 'int' | 'float';
  served: ServedFit;
  /** Predictions on the held-out clips, when any were given. */
  heldOut?: HeldOutPredictions;
  /** Training examples, augmented copies included. */
  examples: number;
  /** The integer engine's per-layer counts on the un-augmented training clips. */
  layers?: LayerSummary[];
  /** Energy per inference on those clips: the mean of each clip's own estimate. */
  energy?: EnergyEstimate;
}

function part(scanned: ScannedDataset, idx: number[]): ScannedDataset {
  const items = idx.map((i) => scanned.items[i]);
  const background = items
    .filter((it) => it.label === scanned.backgroundLabel && it.samples)
    .map((it) => it.samples!);
  return { ...scanned, items, background };
}

/**
 * Trains on the clips `trainIdx` of `scanned` and predicts `testIdx` with the served model.
 * `keepBest` keeps the epoch that did best on the test clips (a hold-out); otherwise the last
 * epoch is kept and the test clips play no part in training (cross-validation, final model).
 */
export async function fitPart(
  scanned: ScannedDataset,
  trainIdx: number[],
  testIdx: number[],
  base: FitSettings,
  onProgress: TrainOptions['onProgress'],
  keepBest: boolean
): Promise<Fitted> {
  const { spec, settings } = base;
  const shape = spec.input.shape as [number, number, number];
  const seed = base.trainOpts.seed ?? 1;
  const audio = settings.kind === 'logmel';
  const trainPart = part(scanned, trainIdx);
  const trainSet = buildExamples(trainPart, settings, shape, {
    augment: audio ? (base.audioAugment ?? DEFAULT_AUDIO_AUGMENT) : undefined,
    seed
  });
  const plain = buildExamples(trainPart, settings, shape);
  const testSet = testIdx.length
    ? buildExamples(part(scanned, testIdx), settings, shape)
    : undefined;
  let stored: FeatureSettings = settings;
  // Settings that carry a standardisation (a base's) are already applied by the front end.
  if (audio && (settings as { mean?: number }).mean === undefined) {
    const fit = fitStandardisation(trainSet.x);
    for (const d of [trainSet, plain, testSet]) if (d) standardise(d.x, fit);
    stored = { ...settings, mean: fit.mean, std: fit.std };
  }
  const run = await train(
    spec,
    trainSet,
    {
      augment: batchAugmenter(settings, shape, base.masks),
      ...base.trainOpts,
      seed,
      keepBest,
      onProgress
    },
    keepBest && testSet ? testSet : plain
  );
  const { network, ...result } = run;
  try {
    const contents = networkToContents(
      network,
      { ...spec, features: { ...stored } },
      scanned.labels,
      {
        validationAccuracy: run.validationAccuracy,
        epochs: run.history.length,
        samplesPerSecond: run.samplesPerSecond,
        seed,
        trainExamples: trainSet.count,
        ...base.record
      },
      base.createdAt ?? ''
    );
    let engine: 'int' | 'float' = 'int';
    try {
      contents.int = convertToInt(contents);
    } catch (e) {
      // Only models from before total conversion land here; they still run through tfjs.
      if (!(e instanceof ConvertError)) throw e;
      engine = 'float';
    }
    const predict = (d: Examples) =>
      contents.int ? evaluateInt(contents.int, d).probabilities : predictProbabilities(network, d);
    let layers: LayerSummary[] | undefined;
    let energy: EnergyEstimate | undefined;
    let ownProbs: Float32Array;
    if (contents.int) {
      const own = evaluateInt(contents.int, plain);
      [ownProbs, layers, energy] = [own.probabilities, own.layers, own.energy];
    } else ownProbs = predictProbabilities(network, plain);
    const own = scoreProbabilities(ownProbs, plain.y, plain.classes);
    let top = 0;
    for (let i = 0; i < plain.count; i++)
      top += Math.max(...ownProbs.subarray(i * plain.classes, (i + 1) * plain.classes));
    const served: ServedFit = {
      clips: plain.count,
      accuracy: own.accuracy,
      loss: own.loss,
      meanTopProbability: top / plain.count,
      trainingLoss: run.history.at(-1)?.loss
    };
    const heldOut = testSet && {
      probabilities: predict(testSet),
      labels: testSet.y,
      files: testIdx.map((i) => scanned.items[i].file),
      at: testIdx.map((i) => scanned.items[i].at),
      classes: scanned.labels.length
    };
    return {
      contents,
      result,
      engine,
      served,
      heldOut,
      examples: trainSet.count,
      layers,
      energy
    };
  } finally {
    disposeNetwork(network);
  }
}

/** Predictions of several folds as one set. */
export function mergePredictions(parts: HeldOutPredictions[]): HeldOutPredictions {
  const classes = parts[0]?.classes ?? 0;
  const n = parts.reduce((a, p) => a + p.labels.length, 0);
  const probabilities = new Float32Array(n * classes);
  const labels = new Int32Array(n);
  const files: string[] = [];
  const starts: (number | undefined)[] = [];
  let at = 0;
  for (const p of parts) {
    probabilities.set(p.probabilities, at * classes);
    labels.set(p.labels, at);
    files.push(...p.files);
    starts.push(...(p.at ?? p.files.map(() => undefined)));
    at += p.labels.length;
  }
  return { probabilities, labels, files, at: starts, classes };
}

/** The evaluation of held-out predictions, with how many clips each figure rests on. */
export function clipEvaluation(
  p: HeldOutPredictions,
  method: ClipEvaluation['method'],
  folds: number,
  engine: ClipEvaluation['engine']
): ClipEvaluation {
  const ev: Evaluation = scoreProbabilities(p.probabilities, p.labels, p.classes);
  const classClips = ev.confusion.map((row) => row.reduce((a, b) => a + b, 0));
  return {
    method,
    folds,
    engine,
    accuracy: ev.accuracy,
    balancedAccuracy: balancedAccuracy(ev.confusion),
    clips: p.labels.length,
    perClass: ev.perClass.map((r, c) => (classClips[c] === 0 ? null : r)),
    classClips,
    confusion: ev.confusion,
    mistakes: Array.from(ev.predictions.keys())
      .filter((i) => ev.predictions[i] !== p.labels[i])
      .map((i) => ({ file: p.files[i], label: p.labels[i], predicted: ev.predictions[i] })),
    predictions: Array.from(ev.predictions, (predicted, i) => {
      const row = p.probabilities.subarray(i * p.classes, (i + 1) * p.classes);
      const at = p.at?.[i];
      return {
        file: p.files[i],
        ...(at === undefined ? {} : { at }),
        label: p.labels[i],
        predicted,
        confidence: Math.max(...row)
      };
    })
  };
}

/**
 * Mean recall over the classes that have clips (confusion[true][predicted]); 0 with no clips.
 * Brodersen, Ong, Stephan & Buhmann, "The balanced accuracy and its posterior distribution", ICPR 2010.
 */
export function balancedAccuracy(confusion: number[][]): number {
  let sum = 0;
  let classes = 0;
  confusion.forEach((row, c) => {
    const n = row.reduce((a, b) => a + b, 0);
    if (n === 0) return;
    sum += row[c] / n;
    classes++;
  });
  return classes ? sum / classes : 0;
}
