/**
 * Runs reproduction jobs on `processes` forked workers (test/repro/worker.ts), longest first, or
 * in this process when `processes` is 1. Results come back by job index, so the order in which
 * jobs finish never matters.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { jobCost, jobName, runJob, type Job, type JobResult, type Scale } from './jobs';
import type { WorkerReply } from './worker';

export async function runJobs(
  jobs: Job[],
  scale: Scale,
  processes: number,
  log: (line: string) => void
): Promise<{ results: JobResult[]; seconds: number[] }> {
  const results: JobResult[] = new Array(jobs.length);
  const seconds: number[] = new Array(jobs.length);
  const order = jobs
    .map((_, i) => i)
    .sort((a, b) => jobCost(jobs[b], scale) - jobCost(jobs[a], scale));
  let done = 0;
  const report = (i: number, s: number) => {
    seconds[i] = s;
    log(`  [${++done}/${jobs.length}] ${jobName(jobs[i])}: ${s.toFixed(0)} s`);
  };
  if (processes <= 1) {
    for (const i of order) {
      const t = performance.now();
      results[i] = await runJob(jobs[i], scale);
      report(i, (performance.now() - t) / 1000);
    }
    return { results, seconds };
  }
  const queue = [...order];
  const workers: ChildProcess[] = [];
  try {
    await Promise.all(
      Array.from(
        { length: Math.min(processes, jobs.length) },
        () =>
          new Promise<void>((resolve, reject) => {
            const w = fork(join(import.meta.dirname, 'worker.ts'), [], { stdio: 'inherit' });
            workers.push(w);
            const next = (): void => {
              const i = queue.shift();
              if (i === undefined) return resolve();
              w.send({ id: i, job: jobs[i], scale });
            };
            w.on('message', (m: WorkerReply) => {
              if (m.type === 'ready') return next();
              if (m.type === 'failed')
                return reject(new Error(`${jobName(jobs[m.id])}: ${m.message}`));
              results[m.id] = m.result;
              report(m.id, m.seconds);
              next();
            });
            w.on('exit', (code) => {
              if (queue.length > 0 || code) reject(new Error(`a repro worker exited with ${code}`));
            });
          })
      )
    );
  } finally {
    for (const w of workers) w.kill();
  }
  return { results, seconds };
}
