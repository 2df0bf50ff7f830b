/**
 * The training worker (worker_threads): trains one model on a project's data folder with core's
 * pipeline, streams progress to the host, stops between batches when told to, and writes the
 * model file atomically (again once cross-validation has chosen its detection thresholds).
 * Messages in: start, cancel. Messages out: progress, model, done, failed.
 */
import { mkdir } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { parentPort } from 'node:worker_threads';
import { DatasetError } from '../../../core/data/dataset';
import { trainOnDataset, type EnergySummary } from '../../../core/data/pipeline';
import type { Requantization } from '../../../core/model-file/requantize';
import { encodeModel, type ModelContents } from '../../../core/model-file/model-file';
import type { ModelSpec } from '../../../core/spec';
import { initTrainingBackend } from '../../../core/train/backend/init-backend';
import type { TrainedLayers } from '../../../core/train/fine-tune';
import { loadBaseFile } from './bases';
import type { TrainOptions } from '../../../core/train/train-options';
import type { DataWarning, RunEvaluation, RunInfo, ServedFit } from '../../shared/api';
import { writeFileAtomic } from './atomic-write';
import { deployedBytes } from './int-model-file';
import { folderSource } from './fs-dataset';
import { TRAINED_ON, whatIf, type FoldRecord } from './what-if';

export type WorkerIn =
  | {
      type: 'start';
      dataDir: string;
      modelPath: string;
      spec: ModelSpec;
      options: Partial<TrainOptions>;
      /** Start from the base in this model file (its json and pack beside it). */
      from?: { path: string; train: TrainedLayers };
    }
  | {
      /** A "what if" run: requantize a finished run's model (what-if.ts). */
      type: 'quantize';
      dataDir: string;
      sourceDir: string;
      modelPath: string;
      source: RunInfo;
      to: Requantization;
    }
  | { type: 'cancel' };

export type WorkerOut =
  | {
      type: 'progress';
      stage: 'scan' | 'train' | 'evaluate';
      progress: Record<string, number | string | undefined>;
    }
  | { type: 'model'; modelBytes: number; deployedBytes?: number; labels: string[] }
  | {
      type: 'done';
      cancelled: boolean;
      evaluationCancelled: boolean;
      evaluation?: RunEvaluation;
      /** Why a "what if" run has no evaluation. */
      evaluationNote?: string;
      served: ServedFit;
      warnings: DataWarning[];
      epochs: number;
      labels: string[];
      history: { epoch: number; loss: number; accuracy: number; validationAccuracy: number }[];
      scan?: RunInfo['scan'];
      energy?: EnergySummary;
      startedFrom?: string;
      trainedLayers?: string;
      automaticClasses?: RunInfo['automaticClasses'];
    }
  | { type: 'failed'; message: string; problems?: { file: string; reason: string }[] };

const port = parentPort;
if (!port) throw new Error('train-worker must run in a worker thread');
const signal = { aborted: false };
// The backend starts as the worker does, so a worker spawned ahead of time (TrainerHost keeps one
// warm) has it ready when a run arrives.
const backend = initTrainingBackend({ backend: 'wasm' });
backend.catch(() => undefined); // reported by the job that awaits it
const post = (m: WorkerOut): void => port.postMessage(m);

port.on('message', (m: WorkerIn) => {
  if (m.type === 'cancel') {
    signal.aborted = true;
    return;
  }
  const job = m.type === 'quantize' ? requantize(m) : run(m);
  void job.catch((e: unknown) =>
    post(
      e instanceof DatasetError && e.problems.length
        ? { type: 'failed', message: e.message.split('\n')[0], problems: e.problems }
        : { type: 'failed', message: e instanceof Error ? e.message : String(e) }
    )
  );
});

/** A path under the data folder as "class/file". */
function rel(dataDir: string, file: string): string {
  return relative(dataDir, file).split(sep).join('/');
}

async function requantize(m: Extract<WorkerIn, { type: 'quantize' }>): Promise<void> {
  await backend;
  const r = await whatIf({
    dataDir: m.dataDir,
    sourceDir: m.sourceDir,
    source: m.source,
    to: m.to,
    createdAt: new Date().toISOString(),
    onProgress: (done, total) =>
      post({ type: 'progress', stage: 'scan', progress: { done, total } })
  });
  const bytes = encodeModel(r.contents);
  await writeFileAtomic(m.modelPath, bytes);
  post({
    type: 'model',
    modelBytes: bytes.length,
    deployedBytes: deployedBytes(r.contents),
    labels: r.contents.labels
  });
  post({
    type: 'done',
    cancelled: false,
    evaluationCancelled: false,
    evaluation: r.evaluation,
    evaluationNote: r.evaluationNote,
    served: r.served,
    warnings: [],
    epochs: 0,
    labels: r.contents.labels,
    history: m.source.history ?? [],
    energy: r.energy
  });
}

/** Writes a run's model file (atomically) and tells the host its sizes. */
async function saveModel(modelPath: string, contents: ModelContents): Promise<void> {
  const bytes = encodeModel(contents);
  await writeFileAtomic(modelPath, bytes);
  post({
    type: 'model',
    modelBytes: bytes.length,
    deployedBytes: deployedBytes(contents),
    labels: contents.labels
  });
}

async function run(m: Extract<WorkerIn, { type: 'start' }>): Promise<void> {
  await backend;
  let last = 0;
  const folds: FoldRecord[] = [];
  const foldDir = join(dirname(m.modelPath), 'folds');
  const from = m.from && { base: await loadBaseFile(m.from.path), train: m.from.train };
  let savedDetection = false;
  const r = await trainOnDataset(folderSource(m.dataDir), m.spec, {
    ...m.options,
    from,
    signal,
    createdAt: new Date().toISOString(),
    // The model is written as soon as it exists: Live can use it while folds still train.
    onModel: async (contents) => {
      await saveModel(m.modelPath, contents);
      savedDetection = contents.detection !== undefined;
    },
    // Fold models are kept so that a "what if" run can repeat the estimate requantized.
    onFoldModel: async (fold, contents, test) => {
      await mkdir(foldDir, { recursive: true });
      await writeFileAtomic(join(foldDir, `fold-${fold}.qnm`), encodeModel(contents));
      folds.push({ fold, clips: test.map((c) => ({ ...c, file: rel(m.dataDir, c.file) })) });
      await writeFileAtomic(join(foldDir, 'folds.json'), JSON.stringify(folds));
    },
    onProgress: (p) => {
      // Progress at most every 100 ms, plus every epoch end, keeps the channel quiet.
      const now = performance.now();
      const epochEnd = p.train?.validation !== undefined;
      if (!epochEnd && now - last < 100) return;
      last = now;
      if (p.stage === 'scan')
        post({ type: 'progress', stage: 'scan', progress: { done: p.done, total: p.total } });
      else {
        const t = p.train!;
        post({
          type: 'progress',
          stage: p.stage,
          progress: {
            phase: p.stage === 'evaluate' ? 'evaluate' : t.phase,
            fold: p.fold,
            folds: p.folds,
            epoch: t.epoch,
            epochs: t.epochs,
            batch: t.batch,
            batches: t.batches,
            loss: t.loss,
            accuracy: t.accuracy,
            samplesPerSecond: t.samplesPerSecond,
            // The whole job's (the served model and every fold), not only this fit's.
            etaSeconds: p.job?.etaSeconds ?? t.etaSeconds,
            fraction: p.job?.fraction,
            check: p.check,
            validationAccuracy: t.validation?.accuracy
          }
        });
      }
    }
  });
  // Cross-validation's suggested detection settings exist only now: the model again, with them
  // (the model file is where Live and `quench stream` read them from).
  if (r.detection && !savedDetection) await saveModel(m.modelPath, r.contents);
  // The clips the served model was trained on, for "what if" runs made from it later.
  await writeFileAtomic(
    join(dirname(m.modelPath), TRAINED_ON),
    JSON.stringify(r.trainedOn.map((c) => ({ ...c, file: rel(m.dataDir, c.file) })))
  );
  post({
    type: 'done',
    cancelled: r.result.cancelled,
    evaluationCancelled: r.evaluationCancelled,
    evaluation: r.evaluation,
    served: r.served,
    warnings: r.warnings,
    epochs: r.result.history.length,
    labels: r.contents.labels,
    scan: r.scan,
    energy: r.energy,
    startedFrom: r.startedFrom,
    trainedLayers: r.trainedLayers,
    automaticClasses: r.automaticClasses,
    history: r.result.history.map((h) => ({
      epoch: h.epoch,
      loss: h.loss,
      accuracy: h.accuracy,
      validationAccuracy: h.validationAccuracy
    }))
  });
}
