/**
 * Soak: 10,000 live predictions through the integer engine (features from the log-mel stream, as
 * the live view does), then 5 training runs back to back on the same data — checking that tfjs's
 * tensor count returns to where it started and that the heap stays bounded.
 * Usage: tsx --expose-gc test/bench/soak.ts [--predictions N] [--runs N]
 */
import * as tf from '@tensorflow/tfjs-core';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { LogMelStream, type LogMelSettings } from '../../core/features/logmel';
import { decodeModel } from '../../core/model-file/model-file';
import { getPreset } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { createRng } from '../../core/util/rng';
import { argValue, machineLine, table, writeResult } from './bench-util';

const predictions = Number(argValue('--predictions') ?? 10_000);
const runs = Number(argValue('--runs') ?? 5);
const gc = (globalThis as { gc?: () => void }).gc ?? (() => undefined);
const heapMB = () => {
  gc();
  return process.memoryUsage().heapUsed / 2 ** 20;
};

await initTrainingBackend({ backend: 'wasm' });
const contents = decodeModel(
  new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
);
const model = convertToInt(contents);
const stream = new LogMelStream(contents.spec.features as unknown as LogMelSettings);
const rng = createRng(1);
const block = new Float32Array(1600); // 100 ms of 16 kHz audio per prediction
const heap0 = heapMB();
const t0 = performance.now();
for (let i = 0; i < predictions; i++) {
  for (let k = 0; k < block.length; k++)
    block[k] = 0.2 * Math.sin((i * 1600 + k) / 7) + 0.05 * (rng.next() - 0.5);
  stream.push(block);
  const w = stream.window();
  if (w) runInt(model, w);
}
const predictSeconds = (performance.now() - t0) / 1000;
const heap1 = heapMB();

const spec = getPreset('digits');
const per = 28 * 28;
const data = {
  x: Float32Array.from({ length: 200 * per }, () => rng.next()),
  y: Int32Array.from({ length: 200 }, (_, i) => i % 10),
  count: 200,
  shape: [28, 28, 1] as [number, number, number],
  classes: 10
};
const tensors0 = tf.memory().numTensors;
const heaps: number[] = [];
for (let r = 0; r < runs; r++) {
  const result = await train(spec, data, { seed: r, epochs: 2 });
  disposeNetwork(result.network);
  heaps.push(heapMB());
}
const tensors1 = tf.memory().numTensors;
const ok = tensors1 === tensors0 && heap1 - heap0 < 50 && heaps.at(-1)! - heaps[0] < 50;
console.log(
  `${predictions} predictions in ${predictSeconds.toFixed(1)} s (${((1000 * predictSeconds) / predictions).toFixed(2)} ms each): heap ${heap0.toFixed(1)} → ${heap1.toFixed(1)} MB`
);
console.log(
  `${runs} training runs: tensors ${tensors0} → ${tensors1}, heap after each run ${heaps.map((h) => h.toFixed(1)).join(', ')} MB`
);
console.log(ok ? 'soak: OK' : 'soak: FAILED');
console.log(machineLine());
writeResult(
  'soak',
  {
    predictions,
    runs,
    predictSeconds,
    heap0,
    heap1,
    tensors0,
    tensors1,
    heaps,
    ok,
    machine: machineLine()
  },
  [
    '## Soak: live predictions and repeated training',
    '',
    `${predictions} predictions of the demo model from a streaming log-mel front end, then ${runs} digits training runs (2 epochs each) back to back.`,
    '',
    table(
      ['check', 'before', 'after'],
      [
        ['heap during predictions (MB)', heap0.toFixed(1), heap1.toFixed(1)],
        ['tfjs tensors across training runs', tensors0, tensors1],
        ['heap after first / last training run (MB)', heaps[0].toFixed(1), heaps.at(-1)!.toFixed(1)]
      ]
    )
  ].join('\n')
);
process.exitCode = ok ? 0 : 1;
