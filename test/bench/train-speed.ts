/**
 * Training throughput per preset and setting (k-WTA and fake quantization each on or off):
 * Quench's wasm setup against its peers measured in the same run —
 * - the Keras twin (test/bench/keras-twin.py, TensorFlow CPU on all cores) when
 *   `python3 -c "import tensorflow"` works; otherwise issue 17's reference figures are printed
 *   beside Quench's, clearly marked as not measured in this run;
 * - stock tfjs on the cpu backend (the preset as shipped, a few steps).
 * Each Quench figure is the median of `--reps` repetitions of `--steps` steps on one fixed batch,
 * after a warm-up; wall time, with the process's CPU time beside it to show contention.
 * Usage: tsx test/bench/train-speed.ts [--steps N] [--reps N] [--cpu-steps N] [--presets a,b]
 *   [--settings float,kwta,...]
 */
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { PRESET_NAMES } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { argValue, machineLine, median, table, writeResult } from './bench-util';
import { CLASSES, SETTINGS, stepRunner, type Setting } from './train-setup';

/**
 * Issue 17's measurements of the Keras twin (Keras 3 / TensorFlow 2.21 CPU, batch 32, medians of
 * 7 repetitions, ranges over two passes) on this machine kind; there were none with fake
 * quantization or for digits.
 */
const ISSUE_FIGURES: Record<string, Partial<Record<Setting, [number, number]>>> = {
  'audio-small': { float: [1571, 1644], kwta: [729, 954] },
  'vision-small': { float: [2192, 2952], kwta: [1306, 1573] }
};

interface Measured {
  samplesPerSecond: number;
  /** Samples per second of process CPU time: above the wall figure when other work competes. */
  cpuSamplesPerSecond: number;
  range: [number, number];
}

function measure(
  preset: string,
  setting: Setting,
  steps: number,
  reps: number,
  warmUp = 2
): Measured {
  const run = stepRunner(preset, setting);
  try {
    for (let i = 0; i < warmUp; i++) run.step(); // first allocations, wasm tier-up
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let r = 0; r < reps; r++) {
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) run.step();
      wall.push((steps * run.batchSize) / ((performance.now() - t0) / 1000));
      const c = process.cpuUsage(c0);
      cpu.push((steps * run.batchSize) / ((c.user + c.system) / 1e6));
    }
    return {
      samplesPerSecond: median(wall),
      cpuSamplesPerSecond: median(cpu),
      range: [Math.min(...wall), Math.max(...wall)]
    };
  } finally {
    run.dispose();
  }
}

function tensorflowAvailable(): boolean {
  const r = spawnSync('python3', ['-c', 'import tensorflow'], { stdio: 'ignore' });
  return r.status === 0;
}

interface KerasResult {
  samplesPerSecond: number;
  tensorflow: string;
  keras: string;
}

function keras(preset: string, setting: Setting, steps: number, reps: number): KerasResult {
  const r = spawnSync(
    'python3',
    [
      join('test', 'bench', 'keras-twin.py'),
      '--spec',
      join('models', `${preset}.json`),
      '--setting',
      setting,
      '--classes',
      String(CLASSES),
      '--steps',
      String(steps),
      '--reps',
      String(reps)
    ],
    { encoding: 'utf8', env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2' } }
  );
  const last = r.stdout.trim().split('\n').pop() ?? '';
  if (r.status !== 0 || !last.startsWith('{')) {
    throw new Error(`keras-twin.py ${preset} ${setting} failed: ${r.stderr.slice(-2000)}`);
  }
  return JSON.parse(last) as KerasResult;
}

const steps = Number(argValue('--steps') ?? 20);
const reps = Number(argValue('--reps') ?? 7);
const cpuSteps = Number(argValue('--cpu-steps') ?? 1);
if (!(Number.isInteger(cpuSteps) && cpuSteps >= 1))
  throw new Error('--cpu-steps must be 1 or more');
const presets = argValue('--presets')?.split(',') ?? [...PRESET_NAMES];
const settings = (argValue('--settings')?.split(',') ?? [...SETTINGS]) as Setting[];
const withKeras = tensorflowAvailable();
const loadBefore = loadavg();
console.log(
  withKeras
    ? 'TensorFlow found: the Keras twin runs in this bench.'
    : 'TensorFlow is not installed: Keras figures are issue 17 reference figures, not measured in this run.'
);

interface Row {
  preset: string;
  setting: Setting;
  quench: Measured;
  keras?: KerasResult;
  reference?: [number, number];
}
const rows: Row[] = [];
for (const preset of presets) {
  await initTrainingBackend({ backend: 'wasm' });
  for (const setting of settings) {
    const row: Row = { preset, setting, quench: measure(preset, setting, steps, reps) };
    if (withKeras) row.keras = keras(preset, setting, steps, reps);
    else row.reference = ISSUE_FIGURES[preset]?.[setting];
    rows.push(row);
    const peer = row.keras
      ? `keras ${row.keras.samplesPerSecond.toFixed(0)} (ratio ${(row.quench.samplesPerSecond / row.keras.samplesPerSecond).toFixed(2)})`
      : row.reference
        ? `keras (issue 17, not measured here) ${row.reference.join('–')} (ratio ${row.reference.map((k) => (row.quench.samplesPerSecond / k).toFixed(2)).join('–')})`
        : 'no keras figure';
    console.log(
      `${preset.padEnd(13)} ${setting.padEnd(11)} quench ${row.quench.samplesPerSecond.toFixed(0).padStart(5)} samples/s (${row.quench.cpuSamplesPerSecond.toFixed(0)} per CPU-second)   ${peer}`
    );
  }
}

// Stock tfjs on the cpu backend, the presets as shipped: the peer of the earlier benches.
const cpuRows: { preset: string; quench: number; cpu: number }[] = [];
for (const preset of presets) {
  await initTrainingBackend({ backend: 'cpu' });
  const cpu = measure(preset, 'kwta+quant', cpuSteps, 1, 1).samplesPerSecond;
  const quench = rows.find((r) => r.preset === preset && r.setting === 'kwta+quant')?.quench;
  if (quench) cpuRows.push({ preset, quench: quench.samplesPerSecond, cpu });
  console.log(`${preset.padEnd(13)} stock tfjs cpu ${cpu.toFixed(2)} samples/s`);
}
const loadAfter = loadavg();
const load = `Load average ${loadBefore[0].toFixed(2)} before, ${loadAfter[0].toFixed(2)} after (2 cores)`;
console.log(load);
console.log(machineLine());

const fmt = (n: number): string => n.toFixed(0);
const peerCell = (r: Row): string =>
  r.keras
    ? fmt(r.keras.samplesPerSecond)
    : r.reference
      ? `${r.reference.map(fmt).join('–')} (issue 17, not measured here)`
      : '—';
const ratioCell = (r: Row): string =>
  r.keras
    ? `${(r.quench.samplesPerSecond / r.keras.samplesPerSecond).toFixed(2)}`
    : r.reference
      ? r.reference
          .map((k) => (r.quench.samplesPerSecond / k).toFixed(2))
          .reverse()
          .join('–')
      : '—';
const kerasNote = rows.find((r) => r.keras)?.keras;
writeResult(
  'train-speed',
  {
    steps,
    reps,
    cpuSteps,
    rows,
    cpuRows,
    kerasMeasured: withKeras,
    loadBefore,
    loadAfter,
    machine: machineLine(),
    tensors: tf.memory().numTensors
  },
  [
    '## Training throughput: Quench against Keras (TensorFlow CPU) and stock tfjs',
    '',
    `Same net, batch and optimizer; one fixed synthetic batch; median of ${reps} repetitions of ${steps} steps after a warm-up (wall time; "per CPU-second" divides by the process's CPU time instead, which shows how much other work on the machine slowed the wall figure). Settings: float = no k-WTA, float32; kwta = the preset's k-WTA layers; quant = its 8-bit weights, activations and input as fake quantization; kwta+quant = the preset as shipped. ${load}.`,
    '',
    withKeras
      ? `Keras twin (test/bench/keras-twin.py) measured in this run: TensorFlow ${kerasNote?.tensorflow}, Keras ${kerasNote?.keras}, all cores.`
      : "TensorFlow could not be imported here, so the Keras column holds **issue 17's figures (Keras 3 / TensorFlow 2.21 CPU, same machine kind), not measured in this run**; the ratio is given against both ends of their range. Install tensorflow and rerun to measure the twin.",
    '',
    table(
      [
        'preset',
        'setting',
        'Quench (samples/s)',
        'Quench per CPU-second',
        'Keras (samples/s)',
        'Quench / Keras'
      ],
      rows.map((r) => [
        r.preset,
        r.setting,
        `${fmt(r.quench.samplesPerSecond)} (${r.quench.range.map(fmt).join('–')})`,
        fmt(r.quench.cpuSamplesPerSecond),
        peerCell(r),
        ratioCell(r)
      ])
    ),
    '',
    `Against stock tfjs on its cpu backend (the presets as shipped, ${cpuSteps} step(s) after one warm-up):`,
    '',
    table(
      ['preset', 'Quench (samples/s)', 'tfjs cpu (samples/s)', 'ratio'],
      cpuRows.map((r) => [
        r.preset,
        fmt(r.quench),
        r.cpu.toFixed(2),
        `${(r.quench / r.cpu).toFixed(0)}×`
      ])
    )
  ].join('\n')
);
