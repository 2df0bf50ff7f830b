/**
 * Inference per preset, batch 1, in one process: Quench's integer engine vs onnxruntime-web (wasm,
 * one thread) on the exported ONNX model vs tfjs-wasm running the same trained network in float32.
 * Median of many runs after warm-up, cycling through held-out inputs so sparsity is realistic.
 * Then model size per weight width: the int-only file vs the float32 weights.
 * Usage: tsx test/bench/inference.ts [--runs N]
 */
import * as tf from '@tensorflow/tfjs-core';
import * as ort from 'onnxruntime-web';
import { predictContents } from '../../core/data/pipeline';
import { convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { encodeModel, type ModelContents } from '../../core/model-file/model-file';
import { networkFromContents, networkToContents } from '../../core/model-file/network-io';
import { exportOnnx } from '../../core/onnx/export';
import { applyOverrides, getPreset, PRESET_NAMES, type ModelSpec } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import type { Examples } from '../../core/train/dataset';
import { forward } from '../../core/train/forward';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { createRng } from '../../core/util/rng';
import { argValue, machineLine, median, table, writeResult } from './bench-util';
import { loadMnist } from './mnist-data';

const RUNS = Number(argValue('--runs') ?? 300);
const CLASSES = 6;

/** Class-dependent structured inputs (a bright bar whose place and angle depend on the class). */
function synthetic(shape: [number, number, number], n: number, seed: number): Examples {
  const [h, w, c] = shape;
  const rng = createRng(seed);
  const per = h * w * c;
  const x = new Float32Array(n * per);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % CLASSES;
    for (let p = 0; p < per; p++) x[i * per + p] = 0.3 * rng.normal();
    const r0 = rng.int(h);
    for (let t = 0; t < Math.min(h, w); t++) {
      const r = (r0 + t * (y[i] % 3)) % h;
      const col = (t + 3 * y[i]) % w;
      for (let k = 0; k < c; k++) x[i * per + (r * w + col) * c + k] += 2;
    }
  }
  return { x, y, count: n, shape, classes: CLASSES };
}

async function time(runs: number, fn: (i: number) => unknown | Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(i);
  const ms: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    await fn(i);
    ms.push(performance.now() - t);
  }
  return median(ms);
}

async function trained(preset: string): Promise<{ contents: ModelContents; test: Examples }> {
  const spec = applyOverrides(getPreset(preset), { weightBits: 4, actBits: 4 });
  const shape = spec.input.shape;
  let data: Examples;
  let test: Examples;
  if (preset === 'digits') ({ train: data, test } = loadMnist(0.2, 300));
  else [data, test] = [synthetic(shape, 480, 1), synthetic(shape, 400, 2)];
  const run = await train(spec, data, { seed: 1, epochs: 2 });
  const labels = Array.from({ length: data.classes }, (_, i) => `c${i}`);
  const contents = networkToContents(run.network, spec, labels, {}, '');
  disposeNetwork(run.network);
  return { contents, test };
}

await initTrainingBackend({ backend: 'wasm' });
ort.env.wasm.numThreads = 1;
const rows: Record<string, number | string>[] = [];
for (const preset of PRESET_NAMES) {
  const { contents, test } = await trained(preset);
  const model = convertToInt(contents);
  const [h, w, c] = model.input.shape;
  const per = h * w * c;
  const input = (i: number) =>
    test.x.subarray((i % test.count) * per, ((i % test.count) + 1) * per);
  const engineMs = await time(RUNS, (i) => runInt(model, input(i)));
  const session = await ort.InferenceSession.create(exportOnnx(model));
  const ortMs = await time(RUNS, (i) =>
    session.run({ features: new ort.Tensor('float32', input(i).slice(), [1, h, w, c]) })
  );
  await session.release();
  // The same trained weights as a float32 network (no fake quantization anywhere).
  const floatSpec: ModelSpec = applyOverrides(contents.spec, { weightBits: 32, actBits: 32 });
  floatSpec.quant.inputBits = 32;
  const net = networkFromContents({ ...contents, spec: floatSpec });
  const tfjsMs = await time(RUNS, (i) =>
    tf.tidy(() => forward(net, tf.tensor4d(input(i), [1, h, w, c]), false).logits.dataSync())
  );
  disposeNetwork(net);
  // Top-1 agreement with the fake-quantized tfjs model the engine was converted from.
  const probs = predictContents(contents, test);
  const argmax = (p: ArrayLike<number>) => {
    let best = 0;
    for (let j = 1; j < p.length; j++) if (p[j] > p[best]) best = j;
    return best;
  };
  let macs = 0;
  let executed = 0;
  let agree = 0;
  for (let i = 0; i < test.count; i++) {
    const r = runInt(model, input(i));
    for (const k of r.counters) {
      macs += k.denseMacs;
      executed += k.executedMacs;
    }
    const n = r.probabilities.length;
    if (argmax(r.probabilities) === argmax(probs.subarray(i * n, (i + 1) * n))) agree++;
  }
  const row = {
    preset,
    engineMs,
    ortMs,
    tfjsMs,
    speedupVsOrt: ortMs / engineMs,
    executedFraction: executed / macs,
    agreement: agree / test.count,
    testCount: test.count
  };
  rows.push(row);
  console.log(
    `${preset.padEnd(13)} engine ${engineMs.toFixed(3)} ms   onnxruntime-web ${ortMs.toFixed(3)} ms   tfjs-wasm float32 ${tfjsMs.toFixed(3)} ms   engine ${(ortMs / engineMs).toFixed(2)}× faster than ORT; executed MACs ${((100 * executed) / macs).toFixed(0)} % of dense; top-1 agreement with fake-quantized tfjs ${((100 * agree) / test.count).toFixed(2)} % of ${test.count}`
  );
}

// Model size per weight width (digits preset; sizes don't depend on the values learned).
const sizes: Record<string, number | string>[] = [];
const base = getPreset('digits');
const { train: small } = loadMnist(0.2, 30);
for (const bits of [1, 2, 4, 8]) {
  const spec = applyOverrides(base, { weightBits: bits, actBits: 8 });
  const run = await train(spec, small, { seed: 1, epochs: 1 });
  const contents = networkToContents(
    run.network,
    spec,
    Array.from({ length: 10 }, (_, i) => String(i)),
    {},
    ''
  );
  disposeNetwork(run.network);
  const int = convertToInt(contents);
  const intBytes = encodeModel({ ...contents, int }, { includeFloat: false }).length;
  const floatBytes = encodeModel(contents).length;
  const params = contents.tensors
    .filter((t) => t.name.endsWith('/kernel'))
    .reduce((a, t) => a + t.data.length, 0);
  sizes.push({ bits, intBytes, floatBytes, ratio: intBytes / floatBytes, params });
  console.log(
    `digits ${bits}-bit: int-only file ${intBytes} bytes, float32 file ${floatBytes} bytes (${((100 * intBytes) / floatBytes).toFixed(1)} %), ${params} weights`
  );
}
console.log(machineLine());
writeResult(
  'inference',
  { runs: RUNS, rows, sizes, machine: machineLine() },
  [
    '## Inference latency per preset (batch 1, median)',
    '',
    `4-bit weights and activations, the preset's k-WTA; ${RUNS} runs after 20 warm-up, cycling through held-out inputs (digits: MNIST; others: synthetic class patterns). onnxruntime-web ${ort.env.versions.web} with the wasm execution provider and one thread runs the exported ONNX model; tfjs-wasm runs the same trained weights in float32.`,
    '',
    table(
      [
        'preset',
        'Quench engine (ms)',
        'onnxruntime-web (ms)',
        'tfjs-wasm float32 (ms)',
        'engine vs ORT',
        'executed / dense MACs',
        'top-1 agreement with fake-quantized tfjs'
      ],
      rows.map((r) => [
        r.preset,
        (r.engineMs as number).toFixed(3),
        (r.ortMs as number).toFixed(3),
        (r.tfjsMs as number).toFixed(3),
        `${(r.speedupVsOrt as number).toFixed(2)}×`,
        `${(100 * (r.executedFraction as number)).toFixed(0)} %`,
        `${(100 * (r.agreement as number)).toFixed(2)} % of ${r.testCount}`
      ])
    ),
    '',
    '## Model size per weight width (digits preset)',
    '',
    'The int-only file (`quench export --format int`): packed weight indices, integer tables, requantization constants and the JSON header; against the full file with float32 weights.',
    '',
    table(
      ['weight bits', 'int-only file (bytes)', 'float32 file (bytes)', 'ratio'],
      sizes.map((s) => [
        s.bits,
        s.intBytes,
        s.floatBytes,
        `${(100 * (s.ratio as number)).toFixed(1)} %`
      ])
    )
  ].join('\n')
);
