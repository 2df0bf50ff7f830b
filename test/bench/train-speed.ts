/**
 * Training throughput per preset: Quench's wasm setup (with its own Conv2DBackpropFilter) against
 * stock tfjs on the cpu backend — same spec, same seed, same synthetic batches, same process.
 * Usage: tsx test/bench/train-speed.ts [--steps N] [--cpu-steps N]
 */
import * as tf from '@tensorflow/tfjs-core';
import { getPreset, PRESET_NAMES, resolveSpec } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { createNetwork, disposeNetwork } from '../../core/train/network';
import { makeStepContext, trainStep } from '../../core/train/step';
import { resolveTrainOptions } from '../../core/train/train-options';
import { createRng } from '../../core/util/rng';
import { argValue, machineLine, table, writeResult } from './bench-util';

const CLASSES = 10;

function measure(preset: string, steps: number): number {
  const spec = getPreset(preset);
  const opts = resolveTrainOptions(spec, { seed: 3 });
  const net = createNetwork(resolveSpec(spec, CLASSES), 3);
  const ctx = makeStepContext(net, opts, createRng(3));
  const [h, w, c] = spec.input.shape;
  const rng = createRng(5);
  const xs = Float32Array.from({ length: opts.batchSize * h * w * c }, () => rng.next());
  const ys = Int32Array.from({ length: opts.batchSize }, () => rng.int(CLASSES));
  trainStep(ctx, xs, ys); // warm-up: kernel compilation and first allocations
  const start = performance.now();
  for (let i = 0; i < steps; i++) trainStep(ctx, xs, ys);
  const seconds = (performance.now() - start) / 1000;
  ctx.optimizer.dispose();
  disposeNetwork(net);
  return (steps * opts.batchSize) / seconds;
}

const steps = Number(argValue('--steps') ?? 30);
const cpuSteps = Number(argValue('--cpu-steps') ?? 3);
const rows: { preset: string; wasm: number; cpu: number; ratio: number }[] = [];
for (const preset of PRESET_NAMES) {
  await initTrainingBackend({ backend: 'wasm' });
  const wasm = measure(preset, steps);
  await initTrainingBackend({ backend: 'cpu' });
  const cpu = measure(preset, cpuSteps);
  rows.push({ preset, wasm, cpu, ratio: wasm / cpu });
  console.log(
    `${preset.padEnd(13)} wasm ${wasm.toFixed(1).padStart(8)} samples/s   cpu ${cpu.toFixed(2).padStart(7)} samples/s   ratio ${(wasm / cpu).toFixed(1)}×`
  );
}
console.log(machineLine());
writeResult(
  'train-speed',
  { steps, cpuSteps, rows, machine: machineLine(), tensors: tf.memory().numTensors },
  [
    '## Training throughput: Quench (wasm + own gradient kernels) vs stock tfjs cpu',
    '',
    `Same preset, seed and batches in one process; ${steps} wasm steps, ${cpuSteps} cpu steps after one warm-up step each.`,
    '',
    table(
      ['preset', 'Quench wasm (samples/s)', 'tfjs cpu (samples/s)', 'ratio'],
      rows.map((r) => [r.preset, r.wasm.toFixed(1), r.cpu.toFixed(2), `${r.ratio.toFixed(1)}×`])
    )
  ].join('\n')
);
