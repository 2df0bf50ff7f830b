/**
 * "What if" runs: a finished run's model requantized at other weight bits / scheme (no
 * retraining, core/model-file/requantize.ts, as `quench quantize`), judged on the same clips as
 * the run it comes from, so the two accuracies compare: a hold-out run's held-out clips by the
 * requantized model; a cross-validated run's folds by each fold's model requantized the same way
 * (the fold models are kept with the run). Energy per inference and the served fit are measured
 * on the training clips as training does. Runs in the worker thread.
 */
import { readFile } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import {
  buildExamples,
  scanDataset,
  type RawItem,
  type ScannedDataset
} from '../../../core/data/dataset';
import {
  clipEvaluation,
  mergePredictions,
  type ClipEvaluation,
  type HeldOutPredictions,
  type ServedFit
} from '../../../core/data/fit';
import { energySummary, featureSettings, type EnergySummary } from '../../../core/data/pipeline';
import { evaluateInt } from '../../../core/engine/evaluate-int';
import { decodeModel, type ModelContents } from '../../../core/model-file/model-file';
import { requantizeContents, type Requantization } from '../../../core/model-file/requantize';
import { scoreProbabilities } from '../../../core/train/evaluate';
import type { RunInfo } from '../../shared/api';
import { folderSource } from './fs-dataset';

/** A cross-validation fold as kept with its run: which clips it was judged on. */
export interface FoldRecord {
  fold: number;
  clips: { file: string; at?: number }[];
}

export interface WhatIfResult {
  contents: ModelContents;
  evaluation?: ClipEvaluation;
  /** Why there is no `evaluation`, in words for the person. */
  evaluationNote?: string;
  served: ServedFit;
  energy?: EnergySummary;
}

/** The clips a run's model was trained on, as the training worker kept them (clips.json). */
export const TRAINED_ON = 'clips.json';

/** A JSON file of the run folder, or undefined when it is absent or not a clip list. */
async function clipList(path: string): Promise<{ file: string; at?: number }[] | undefined> {
  try {
    const raw: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (!Array.isArray(raw)) return undefined;
    return raw.filter(
      (c): c is { file: string; at?: number } =>
        typeof c === 'object' &&
        c !== null &&
        typeof c.file === 'string' &&
        (c.at === undefined || typeof c.at === 'number')
    );
  } catch {
    return undefined; // a run from before the list was kept
  }
}

/** The key of a clip: its file relative to the data folder and its start in milliseconds. */
export function clipKey(file: string, at: number | undefined, dataDir?: string): string {
  const rel = dataDir && file.startsWith(dataDir) ? relative(dataDir, file) : file;
  return `${rel.split(sep).join('/')}@${at === undefined ? '' : Math.round(at * 1000)}`;
}

function predict(
  model: ModelContents,
  scanned: ScannedDataset,
  items: RawItem[]
): HeldOutPredictions & { energy: ReturnType<typeof evaluateInt>['energy'] } {
  const settings = featureSettings(model.spec);
  const shape = model.spec.input.shape as [number, number, number];
  const ex = buildExamples({ ...scanned, items }, settings, shape);
  const r = evaluateInt(model.int!, ex);
  return {
    probabilities: r.probabilities,
    labels: ex.y,
    files: items.map((it) => it.file),
    at: items.map((it) => it.at),
    classes: scanned.labels.length,
    energy: r.energy
  };
}

/** The folds kept with a cross-validated run (folds/folds.json), or undefined. */
async function foldRecords(sourceDir: string): Promise<FoldRecord[] | undefined> {
  try {
    const raw: unknown = JSON.parse(await readFile(join(sourceDir, 'folds', 'folds.json'), 'utf8'));
    return Array.isArray(raw) ? (raw as FoldRecord[]) : undefined;
  } catch {
    return undefined; // a run from before fold models were kept
  }
}

export async function whatIf(opts: {
  dataDir: string;
  sourceDir: string;
  source: RunInfo;
  to: Requantization;
  createdAt: string;
  onProgress?: (done: number, total: number) => void;
}): Promise<WhatIfResult> {
  const { dataDir, sourceDir, source, to, createdAt } = opts;
  const original = decodeModel(new Uint8Array(await readFile(join(sourceDir, 'model.qnm'))));
  const next = requantizeContents(original, to, createdAt, source.id);
  // The model's classes only: a class added to the project since is not the model's business.
  const all = folderSource(dataDir);
  const src = {
    ...all,
    classes: async () =>
      (await all.classes()).filter((c) => original.labels.includes(c.normalize('NFC')))
  };
  const scanned = await scanDataset(src, featureSettings(original.spec), {
    labels: original.labels,
    onProgress: (d, t) => opts.onProgress?.(d, t)
  });
  const key = (it: RawItem) => clipKey(it.file, it.at, dataDir);
  const byKey = new Map(scanned.items.map((it) => [key(it), it]));
  const pick = (clips: { file: string; at?: number }[]) =>
    clips.map((c) => byKey.get(clipKey(c.file, c.at))).filter((it): it is RawItem => !!it);

  let evaluation: ClipEvaluation | undefined;
  let evaluationNote: string | undefined;
  let held = new Set<string>();
  let folds: FoldRecord[] = [];
  const ev = source.evaluation;
  if (!ev) {
    evaluationNote = source.quantizedFrom
      ? 'the trained run it comes from was deleted, and with it the clips it was judged on'
      : 'the run it comes from has no accuracy estimate';
  } else if (ev.method !== 'k-fold' && !ev.predictions) {
    evaluationNote = 'the run it comes from did not keep the list of clips it was judged on';
  } else if (ev.method !== 'k-fold' && ev.predictions) {
    // A hold-out or the dataset's listed clips: the served model itself was judged on them.
    const items = pick(ev.predictions);
    held = new Set(items.map(key));
    if (items.length)
      evaluation = {
        ...clipEvaluation(predict(next, scanned, items), ev.method, 1, 'int'),
        ...(ev.basis ? { basis: ev.basis } : {})
      };
  } else if (ev.method === 'k-fold') {
    folds = (await foldRecords(sourceDir)) ?? [];
    const parts: HeldOutPredictions[] = [];
    for (const f of folds) {
      const items = pick(f.clips);
      if (!items.length) continue;
      const bytes = new Uint8Array(await readFile(join(sourceDir, 'folds', `fold-${f.fold}.qnm`)));
      const foldModel = requantizeContents(decodeModel(bytes), to, createdAt, source.id);
      parts.push(predict(foldModel, scanned, items));
    }
    if (parts.length)
      evaluation = {
        ...clipEvaluation(mergePredictions(parts), 'k-fold', parts.length, 'int'),
        ...(ev.basis ? { basis: ev.basis } : {})
      };
    else if (folds.length === 0)
      evaluationNote = source.quantizedFrom
        ? 'the trained run it comes from was deleted, and with it its cross-validation models'
        : 'the run it comes from kept no cross-validation models (it was trained before they were kept)';
  }
  if (!evaluation && !evaluationNote)
    evaluationNote = 'none of the clips its source was judged on are in the project any more';
  // The served fit on the clips the model was trained on — not clips recorded since.
  const trainedOn =
    (await clipList(join(sourceDir, TRAINED_ON))) ??
    (folds.length ? folds.flatMap((f) => f.clips) : undefined);
  const trained = trainedOn && new Set(pick(trainedOn).map(key));
  const own = scanned.items.filter((it) => (trained ? trained.has(key(it)) : !held.has(key(it))));
  const p = predict(next, scanned, own);
  const score = scoreProbabilities(p.probabilities, p.labels, p.classes);
  let top = 0;
  for (let i = 0; i < own.length; i++)
    top += Math.max(...p.probabilities.subarray(i * p.classes, (i + 1) * p.classes));
  const served: ServedFit = {
    clips: own.length,
    accuracy: score.accuracy,
    loss: score.loss,
    meanTopProbability: own.length ? top / own.length : 0,
    trainingLoss: source.served?.trainingLoss ?? NaN
  };
  return {
    contents: next,
    evaluation,
    evaluationNote,
    served,
    energy: own.length && p.energy ? energySummary(p.energy, own.length) : undefined
  };
}
