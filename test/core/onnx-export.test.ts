/**
 * ONNX export checked by a well-known runtime: the exported integer network runs in
 * onnxruntime-web (wasm execution provider, in Node) and must give the engine's class on every
 * test sample, with the classifier's input codes within one quantization step — for linear
 * (ConvInteger/MatMulInteger), exponential and k-means (QDQ) weights and k-WTA in standard ops.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-web';
import { beforeAll, describe, expect, test } from 'vitest';
import { convertToInt } from '../../core/engine/convert';
import { runInt } from '../../core/engine/engine';
import { decodeModel } from '../../core/model-file/model-file';
import { networkToContents } from '../../core/model-file/network-io';
import { exportOnnx, type OnnxExportOptions } from '../../core/onnx/export';
import { applyOverrides, type ModelSpec } from '../../core/spec';
import { initTrainingBackend } from '../../core/train/backend/init-backend';
import type { Examples } from '../../core/train/dataset';
import { disposeNetwork } from '../../core/train/network';
import { train } from '../../core/train/trainer';
import { createRng } from '../../core/util/rng';

function shapes(n: number, seed: number): Examples {
  const rng = createRng(seed);
  const per = 10 * 10 * 2;
  const x = new Float32Array(n * per);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 4;
    for (let p = 0; p < per; p++) x[i * per + p] = 0.2 * rng.normal();
    const r = 1 + rng.int(6);
    const c = 1 + rng.int(6);
    for (let d = 0; d < 3; d++) {
      const [rr, cc] = [
        [r + d, c],
        [r, c + d],
        [r + d, c + d],
        [r + 2 - d, c + d]
      ][y[i]];
      x[i * per + (rr * 10 + cc) * 2 + (y[i] % 2)] = 1.5;
    }
  }
  return { x, y, count: n, shape: [10, 10, 2], classes: 4 };
}

const BASE: ModelSpec = {
  version: 1,
  name: 'onnx-test',
  input: { shape: [10, 10, 2], kind: 'image' },
  quant: { weightBits: 4, weightScheme: 'linear', actBits: 4, inputBits: 8 },
  layers: [
    { type: 'conv', filters: 8, kernel: 3 },
    { type: 'batchnorm' },
    { type: 'relu' },
    { type: 'maxpool', size: 2, padding: 'same' },
    { type: 'kwta', fraction: 0.5 },
    { type: 'conv', filters: 16, kernel: [3, 2], stride: 2 },
    { type: 'batchnorm' },
    { type: 'relu' },
    { type: 'kwta', fraction: 0.25 },
    { type: 'gap' },
    { type: 'dense' }
  ],
  training: { optimizer: 'adam', learningRate: 0.01, l2: 0, batchSize: 32, epochs: 3 }
};

const data = shapes(200, 1);
const test_ = shapes(120, 2);

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
  ort.env.wasm.numThreads = 1;
});

describe.each([
  ['4-bit linear, 4-bit acts', {}],
  ['8-bit linear, 8-bit acts', { weightBits: 8, actBits: 8 }],
  ['2-bit linear', { weightBits: 2 }],
  ['3-bit exponential', { weightBits: 3, weightScheme: 'exponential' as const }],
  ['4-bit k-means, 6-bit acts', { weightBits: 4, weightScheme: 'kmeans' as const, actBits: 6 }]
])('x=[10,10,2] conv8-maxpool-kwta-conv16/s2-kwta-gap-dense, %s', (_name, overrides) => {
  test('onnxruntime-web agrees with the engine on every sample', async () => {
    const spec = applyOverrides(BASE, overrides);
    const run = await train(spec, data, { seed: 2 });
    const contents = networkToContents(run.network, spec, ['a', 'b', 'c', 'd'], {}, '');
    disposeNetwork(run.network);
    const model = convertToInt(contents);
    const session = await ort.InferenceSession.create(exportOnnx(model));
    let worstCode = 0;
    for (let i = 0; i < test_.count; i++) {
      const x = test_.x.slice(i * 200, (i + 1) * 200);
      const out = await session.run({ features: new ort.Tensor('float32', x, [1, 10, 10, 2]) });
      const logits = Array.from(out.logits.data as Float32Array);
      const r = runInt(model, x);
      expect(logits.indexOf(Math.max(...logits)), `sample ${i}`).toBe(
        Array.from(r.logits).indexOf(Math.max(...r.logits))
      );
      const codes = out.codes.data as Uint8Array;
      expect(codes.length).toBe(r.classifierInput.length);
      codes.forEach(
        (c, j) => (worstCode = Math.max(worstCode, Math.abs(c - r.classifierInput[j])))
      );
    }
    expect(worstCode).toBeLessThanOrEqual(1);
    await session.release();
  });
});

/** The fields of one protobuf message: field number → its length-delimited payloads. */
function protoFields(bytes: Uint8Array): Map<number, Uint8Array[]> {
  const out = new Map<number, Uint8Array[]>();
  let at = 0;
  const varint = () => {
    let v = 0n;
    for (let shift = 0n; ; shift += 7n) {
      const b = bytes[at++];
      v |= BigInt(b & 0x7f) << shift;
      if (b < 0x80) return v;
    }
  };
  while (at < bytes.length) {
    const tag = Number(varint());
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 1) at += 8;
    else if (wire === 5) at += 4;
    else if (wire === 2) {
      const n = Number(varint());
      const list = out.get(tag >> 3) ?? [];
      list.push(bytes.subarray(at, at + n));
      out.set(tag >> 3, list);
      at += n;
    } else throw new Error(`wire type ${wire} is not in ONNX's ModelProto`);
  }
  return out;
}

/** The op type of every node of an ONNX model's graph (ModelProto.graph = 7, node = 1, op_type = 4). */
function opTypes(onnx: Uint8Array): string[] {
  const graph = protoFields(onnx).get(7)![0];
  return (protoFields(graph).get(1) ?? []).map((node) =>
    new TextDecoder().decode(protoFields(node).get(4)![0])
  );
}

describe('the exported graph runs alike on every onnxruntime backend', () => {
  const demo = decodeModel(
    new Uint8Array(readFileSync(join(import.meta.dirname, '..', '..', 'models', 'demo-words.qnm')))
  );
  const options: [string, OnnxExportOptions][] = [
    ['features in', {}],
    [
      'raw audio in',
      { input: 'raw', features: demo.spec.features as unknown as OnnxExportOptions['features'] }
    ]
  ];

  test.each(options)(
    'the demo, %s: no DequantizeLinear (WebGPU misreads uint8 codes there), yet average pooling',
    (_name, o) => {
      const ops = opTypes(exportOnnx(convertToInt(demo), '', o));
      expect(ops).toContain('GlobalAveragePool');
      expect(ops).toContain('ConvInteger');
      expect(ops).not.toContain('DequantizeLinear');
    }
  );
});
