/**
 * The training worker (worker_threads): trains one model on a project's data folder with core's
 * pipeline, streams progress to the host, stops between batches when told to, and writes the
 * model file atomically. Messages in: start, cancel. Messages out: progress, done, failed.
 */
import { parentPort } from 'node:worker_threads';
import { trainOnDataset } from '../../../core/data/pipeline';
import { encodeModel } from '../../../core/model-file/model-file';
import type { ModelSpec } from '../../../core/spec';
import { initTrainingBackend } from '../../../core/train/backend/init-backend';
import type { TrainOptions } from '../../../core/train/train-options';
import type { DataWarning, RunEvaluation, RunInfo, ServedFit } from '../../shared/api';
import { writeFileAtomic } from './atomic-write';
import { folderSource } from './fs-dataset';

export type WorkerIn =
  | {
      type: 'start';
      dataDir: string;
      modelPath: string;
      spec: ModelSpec;
      options: Partial<TrainOptions>;
    }
  | { type: 'cancel' };

export type WorkerOut =
  | {
      type: 'progress';
      stage: 'scan' | 'train' | 'evaluate';
      progress: Record<string, number | string | undefined>;
    }
  | { type: 'model'; modelBytes: number; labels: string[] }
  | {
      type: 'done';
      cancelled: boolean;
      evaluationCancelled: boolean;
      evaluation?: RunEvaluation;
      served: ServedFit;
      warnings: DataWarning[];
      epochs: number;
      labels: string[];
      history: { epoch: number; loss: number; accuracy: number; validationAccuracy: number }[];
      scan?: RunInfo['scan'];
    }
  | { type: 'failed'; message: string };

const port = parentPort;
if (!port) throw new Error('train-worker must run in a worker thread');
const signal = { aborted: false };
const post = (m: WorkerOut): void => port.postMessage(m);

port.on('message', (m: WorkerIn) => {
  if (m.type === 'cancel') {
    signal.aborted = true;
    return;
  }
  void run(m).catch((e: unknown) =>
    post({ type: 'failed', message: e instanceof Error ? e.message : String(e) })
  );
});

async function run(m: Extract<WorkerIn, { type: 'start' }>): Promise<void> {
  await initTrainingBackend({ backend: 'wasm' });
  let last = 0;
  const r = await trainOnDataset(folderSource(m.dataDir), m.spec, {
    ...m.options,
    signal,
    createdAt: new Date().toISOString(),
    // The model is written as soon as it exists: Live can use it while folds still train.
    onModel: async (contents) => {
      const bytes = encodeModel(contents);
      await writeFileAtomic(m.modelPath, bytes);
      post({ type: 'model', modelBytes: bytes.length, labels: contents.labels });
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
            etaSeconds: t.etaSeconds,
            validationAccuracy: t.validation?.accuracy
          }
        });
      }
    }
  });
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
    history: r.result.history.map((h) => ({
      epoch: h.epoch,
      loss: h.loss,
      accuracy: h.accuracy,
      validationAccuracy: h.validationAccuracy
    }))
  });
}
