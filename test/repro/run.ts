/**
 * `npm run repro`: the papers' claims (PAPERS.md) at a larger scale — a wider net (16-64-64
 * filters, BN + ReLU), 20 epochs, three seeds per configuration with mean ± sd — on the digits
 * (mnist package, 8k / 2k) and Fashion-MNIST (a class-balanced part of the 60k training images, the
 * full 10k test set). Writes docs/REPRODUCTION.md, docs/reproduction.json and an accuracy-vs-energy
 * plot; every claim gets a verdict computed from the numbers.
 *   A. post-training quantization: linear per channel and per layer, exponential, k-means, 1–8 bits
 *   B. k-means with quantization-aware training vs iterative k-means retraining
 *   C. low-bit probabilistic learning with and without k-WTA, at equal architecture and at equal
 *      energy
 *   D. data efficiency with and without k-WTA, at equal architecture and at equal energy
 *   E. accuracy vs energy (Pareto front)
 *   F. implicit filter sparsity over optimizer × L2 × batch size, dead filters per layer, pruning
 * Jobs (one network each) run on --processes worker processes (default 2: both cores).
 * Usage: tsx test/repro/run.ts [--smoke] [--out DIR] [--processes N] [--seeds 1,2,3]
 *   [--epochs N] [--fashion-train N] [--only A,B,...]
 */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { argValue, machineLine } from '../bench/bench-util';
import {
  EQUAL_ENERGY_WIDTH,
  KWTA,
  WIDE,
  jobName,
  type DatasetName,
  type Job,
  type JobResult,
  type Scale,
  type Variant
} from './jobs';
import { runJobs } from './pool';
import { paretoSection, sectionA, sectionB, sectionC, sectionD, sectionF } from './report';

const smoke = process.argv.includes('--smoke');
const num = (flag: string, full: number, small: number): number =>
  Number(argValue(flag) ?? (smoke ? small : full));
const scale: Scale = {
  digits: { train: num('--digits-train', 8000, 300), test: num('--digits-test', 2000, 200) },
  fashion: { train: num('--fashion-train', 10000, 300), test: num('--fashion-test', 10000, 200) },
  studyTrain: num('--study-train', 3000, 200),
  sparsityTrain: num('--sparsity-train', 2000, 200),
  sparsityEpochs: num('--sparsity-epochs', 30, 1),
  epochs: num('--epochs', 20, 1),
  fewEpochs: num('--few-epochs', 30, 2),
  iterativeRounds: smoke ? 1 : 3,
  iterativeEpochs: smoke ? 1 : 2,
  ptqBits: smoke ? [1, 4, 8] : [1, 2, 3, 4, 5, 6, 8],
  lowBits: smoke ? [2] : [2, 4],
  perClass: smoke ? [5] : [5, 10, 20, 50],
  seeds: (argValue('--seeds') ?? (smoke ? '1' : '1,2,3')).split(',').map(Number)
};
const processes = num('--processes', 2, 1);
const only = argValue('--only')?.split(',');
const want = (study: string) => !only || only.includes(study);
const outDir = resolve(argValue('--out') ?? 'docs');
const datasets: DatasetName[] = ['digits', 'fashion'];
const variants: Variant[] = ['kwta', 'dense', 'narrow'];
const grid = {
  optimizers: ['adam', 'sgd'] as const,
  l2: smoke ? [0, 1e-3] : [0, 1e-3, 1e-2],
  batch: smoke ? [32] : [32, 128]
};

const jobs: Job[] = [];
for (const seed of scale.seeds) {
  if (want('A')) for (const dataset of datasets) jobs.push({ kind: 'ptq', dataset, seed });
  if (want('B')) jobs.push({ kind: 'kmeans', seed, bits: 4 });
  if (want('C'))
    for (const bits of scale.lowBits)
      for (const variant of variants) jobs.push({ kind: 'lowbit', seed, bits, variant });
  if (want('D'))
    for (const dataset of datasets)
      for (const perClass of scale.perClass)
        for (const variant of variants)
          jobs.push({ kind: 'few', dataset, seed, perClass, variant });
  if (want('F'))
    for (const optimizer of grid.optimizers)
      for (const l2 of grid.l2)
        for (const batchSize of grid.batch)
          jobs.push({ kind: 'sparsity', seed, optimizer, l2, batchSize });
}

const started = performance.now();
const loadBefore = loadavg()[0];
console.log(`${jobs.length} jobs on ${processes} process(es)`);
if (processes <= 1) await initTrainingBackend({ backend: 'wasm' });
const { results, seconds } = await runJobs(jobs, scale, processes, console.log);
const computeMinutes = seconds.reduce((a, b) => a + b, 0) / 60;
const minutes = (performance.now() - started) / 60000;
const loadAfter = loadavg()[0];

/** The results of the jobs matching `pick`, in seed order. */
function select<K extends JobResult['kind']>(
  kind: K,
  pick: (j: Job) => boolean
): Extract<JobResult, { kind: K }>[] {
  return jobs
    .map((j, i) => [j, results[i]] as const)
    .filter(([j, r]) => r.kind === kind && pick(j))
    .map(([, r]) => r as Extract<JobResult, { kind: K }>);
}

const sections: string[] = [];
const points: {
  dataset: string;
  study: string;
  config: string;
  accuracy: number;
  energyPj: number;
}[] = [];
if (want('A'))
  for (const dataset of datasets) {
    const rs = select('ptq', (j) => j.kind === 'ptq' && j.dataset === dataset).map((r) => r.result);
    sections.push(sectionA(dataset, scale, rs));
  }
if (want('B'))
  sections.push(
    sectionB(
      scale,
      select('kmeans', () => true),
      points
    )
  );
if (want('C'))
  sections.push(
    sectionC(
      scale,
      (bits, v) =>
        select('lowbit', (j) => j.kind === 'lowbit' && j.bits === bits && j.variant === v).map(
          (r) => r.result
        ),
      points
    )
  );
if (want('D'))
  for (const dataset of datasets)
    sections.push(
      sectionD(
        dataset,
        scale,
        (per, v) =>
          select(
            'few',
            (j) =>
              j.kind === 'few' && j.dataset === dataset && j.perClass === per && j.variant === v
          ).map((r) => r.result),
        points
      )
    );
if (want('F'))
  sections.push(
    sectionF(
      scale,
      grid,
      (opt, l2, batch) =>
        select(
          'sparsity',
          (j) =>
            j.kind === 'sparsity' && j.optimizer === opt && j.l2 === l2 && j.batchSize === batch
        ).map((r) => r.row),
      points
    )
  );
const pareto = points.length ? paretoSection(points) : undefined;
if (pareto) sections.push(pareto.markdown);

const sizes = `digits ${scale.digits.train} / ${scale.digits.test}, Fashion-MNIST ${scale.fashion.train} / ${scale.fashion.test} (training / test images, class-balanced)`;
const doc = [
  smoke
    ? '# Reproduction (smoke run — tiny data, not results)'
    : '# Reproduction of the papers’ claims',
  '',
  `Produced by \`npm run repro${process.argv.slice(2).length ? ` -- ${process.argv.slice(2).join(' ')}` : ''}\` (test/repro/run.ts) in ${minutes.toFixed(1)} min on ${processes} worker process(es) (${computeMinutes.toFixed(0)} min of jobs): ${jobs.length} trained networks. Seeds ${scale.seeds.join(', ')}; every figure is the mean ± sd over them. ${sizes}. ${machineLine().replace('machine: ', 'Machine: ')}; load average ${loadBefore.toFixed(1)} at the start, ${loadAfter.toFixed(1)} at the end.`,
  '',
  `The net: 28×28 grey → conv ${WIDE[0]} → conv ${WIDE[1]} → conv ${WIDE[2]} (3×3, each with batch norm and ReLU; 2×2 max pool after the first two) → global average pool → dense; k-WTA keeps ${100 * KWTA} % of the channels at every location where a study uses it. "Equal energy" compares a k-WTA net with the same net ${EQUAL_ENERGY_WIDTH}× as wide without k-WTA, whose measured energy per inference is listed beside it. Adam (learning rate 0.003, cosine schedule), batch 64, L2 1e-4, shifts of up to 2 px as augmentation, ${scale.epochs} epochs unless stated; the best validation epoch is kept.`,
  '',
  sections.join('\n\n'),
  ''
].join('\n');
mkdirSync(outDir, { recursive: true });
const write = (file: string, text: string): void => {
  const tmp = join(outDir, `.${file}.${process.pid}.tmp`);
  writeFileSync(tmp, text);
  renameSync(tmp, join(outDir, file));
};
write('REPRODUCTION.md', doc);
write(
  'reproduction.json',
  JSON.stringify(
    {
      scale,
      processes,
      minutes,
      jobs: jobs.map((j, i) => ({
        job: j,
        name: jobName(j),
        seconds: seconds[i],
        result: results[i]
      })),
      points,
      machine: machineLine()
    },
    null,
    1
  ) + '\n'
);
if (pareto) write('reproduction-pareto.svg', pareto.svg);
console.log(`wrote ${join(outDir, 'REPRODUCTION.md')} (${minutes.toFixed(1)} min)`);
