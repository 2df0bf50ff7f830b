/**
 * Trains the `digits` preset on the `mnist` package's digits (8,000 train / 2,000 test) in two
 * configurations and reports test accuracy against the goals of issue 2:
 * float ≥ 98 %, 4-bit weights + 4-bit activations + k-WTA 0.25 ≥ 97 %.
 * Usage: tsx test/bench/train-digits.ts [--epochs N] [--seed S]
 */
import * as tf from '@tensorflow/tfjs-core';
import { shiftImages } from '../../core/data/augment';
import { applyOverrides, getPreset, type SpecOverrides } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { evaluate } from '../../core/train/evaluate';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { argValue, machineLine, table, writeResult } from './bench-util';
import { loadMnist } from './mnist-data';

const CONFIGS: { name: string; overrides: SpecOverrides; goal: number }[] = [
  { name: 'float32, no k-WTA', overrides: { weightBits: 32, actBits: 32, kwta: 1 }, goal: 0.98 },
  {
    name: '4-bit weights + 4-bit acts + k-WTA 0.25',
    overrides: { weightBits: 4, actBits: 4, kwta: 0.25 },
    goal: 0.97
  }
];

await initTrainingBackend({ backend: 'wasm' });
const { train: trainSet, test } = loadMnist(0.2);
console.log(`mnist: ${trainSet.count} train / ${test.count} test`);
const epochs = argValue('--epochs') ? Number(argValue('--epochs')) : undefined;
const seed = Number(argValue('--seed') ?? 1);
const results = [];
let failed = false;
for (const cfg of CONFIGS) {
  const spec = applyOverrides(getPreset('digits'), cfg.overrides);
  const before = tf.memory().numTensors;
  const started = performance.now();
  let lastLine = '';
  const run = await train(spec, trainSet, {
    seed,
    epochs,
    augment: (x, _y, rng) => shiftImages(x, [28, 28, 1], 2, rng),
    onProgress: (p) => {
      if (p.phase !== 'validate') return;
      lastLine = `  epoch ${p.epoch}/${p.epochs} loss ${p.loss.toFixed(4)} train ${(100 * p.accuracy).toFixed(2)} % val ${(100 * p.validation!.accuracy).toFixed(2)} % (${p.samplesPerSecond.toFixed(0)} samples/s)`;
      console.log(lastLine);
    }
  });
  const seconds = (performance.now() - started) / 1000;
  const ev = evaluate(run.network, test);
  disposeNetwork(run.network);
  const leaked = tf.memory().numTensors - before;
  const ok = ev.accuracy >= cfg.goal;
  failed ||= !ok || leaked !== 0;
  console.log(
    `${cfg.name}: test accuracy ${(100 * ev.accuracy).toFixed(2)} % (goal ≥ ${100 * cfg.goal} %: ${ok ? 'met' : 'NOT met'}), ${seconds.toFixed(0)} s, ${run.samplesPerSecond.toFixed(0)} samples/s, tensors leaked: ${leaked}`
  );
  results.push({
    config: cfg.name,
    overrides: cfg.overrides,
    testAccuracy: ev.accuracy,
    goal: cfg.goal,
    seconds,
    samplesPerSecond: run.samplesPerSecond,
    epochs: run.history.length,
    leaked,
    seed
  });
}
console.log(machineLine());
writeResult(
  'train-digits',
  { results, machine: machineLine() },
  [
    '## Training the digits preset on MNIST (mnist package: 8,000 train / 2,000 test)',
    '',
    `Seed ${seed}; image shifts of up to 2 px as augmentation; test accuracy on the held-out 2,000.`,
    '',
    table(
      ['configuration', 'test accuracy', 'goal', 'epochs', 'seconds', 'samples/s'],
      results.map((r) => [
        r.config,
        `${(100 * r.testAccuracy).toFixed(2)} %`,
        `≥ ${100 * r.goal} %`,
        r.epochs,
        r.seconds.toFixed(0),
        r.samplesPerSecond.toFixed(0)
      ])
    )
  ].join('\n')
);
process.exitCode = failed ? 1 : 0;
