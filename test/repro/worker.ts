/**
 * A reproduction worker process (forked by run.ts): initialises the training backend, then runs
 * the jobs it is sent one at a time and sends back each result.
 */
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { runJob, type Job, type Scale } from './jobs';

export type WorkerMessage = { id: number; job: Job; scale: Scale };
export type WorkerReply =
  | { type: 'ready' }
  | { type: 'done'; id: number; result: Awaited<ReturnType<typeof runJob>>; seconds: number }
  | { type: 'failed'; id: number; message: string };

const send = (m: WorkerReply): void => void process.send!(m);
await initTrainingBackend({ backend: 'wasm' });
process.on('message', (m: WorkerMessage) => {
  const started = performance.now();
  runJob(m.job, m.scale).then(
    (result) =>
      send({ type: 'done', id: m.id, result, seconds: (performance.now() - started) / 1000 }),
    (e: unknown) =>
      send({
        type: 'failed',
        id: m.id,
        message: e instanceof Error ? (e.stack ?? e.message) : String(e)
      })
  );
});
send({ type: 'ready' });
