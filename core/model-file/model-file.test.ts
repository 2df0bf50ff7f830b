/**
 * The model file: a trained network survives the round trip with identical predictions; damaged,
 * truncated or inconsistent files are refused with a ModelFileError (never another exception).
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { getPreset, type ModelSpec } from '../spec';
import { initTrainingBackend } from '../train/backend/init-backend';
import { predictProbabilities } from '../train/evaluate';
import { disposeNetwork } from '../train/network';
import { train } from '../train/trainer';
import { createRng } from '../util/rng';
import { crc32, decodeModel, encodeModel, ModelFileError, type ModelContents } from './model-file';
import { networkFromContents, networkToContents } from './network-io';
import { convertToInt } from '../engine/convert';
import { runInt } from '../engine/engine';
import { packBits, unpackBits } from './int-io';

const spec: ModelSpec = {
  ...getPreset('digits'),
  input: { shape: [8, 8, 1], kind: 'image' },
  features: { kind: 'image', width: 8, height: 8, channels: 1 }
};

let contents: ModelContents;
let bytes: Uint8Array;
let reference: Float32Array;
const probe = {
  x: new Float32Array(4 * 64),
  y: new Int32Array(4),
  count: 4,
  shape: [8, 8, 1] as [number, number, number],
  classes: 3
};

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
  const rng = createRng(1);
  const n = 60;
  const x = Float32Array.from({ length: n * 64 }, () => rng.next());
  const y = Int32Array.from({ length: n }, (_, i) => i % 3);
  const run = await train(
    spec,
    { x, y, count: n, shape: [8, 8, 1], classes: 3 },
    { epochs: 2, seed: 4 }
  );
  probe.x.set(x.subarray(0, probe.x.length));
  reference = predictProbabilities(run.network, probe);
  contents = networkToContents(
    run.network,
    spec,
    ['a', 'b', 'c'],
    { validationAccuracy: run.validationAccuracy },
    '2026-11-23T00:00:00Z'
  );
  disposeNetwork(run.network);
  bytes = encodeModel(contents);
});

describe('round trip', () => {
  test('decoded contents rebuild a network with identical predictions and stats', () => {
    const decoded = decodeModel(bytes);
    expect(decoded.labels).toEqual(['a', 'b', 'c']);
    expect(decoded.spec).toEqual(spec);
    expect(decoded.stats).toEqual(contents.stats);
    const before = tf.memory().numTensors;
    const net = networkFromContents(decoded);
    expect(Array.from(predictProbabilities(net, probe))).toEqual(Array.from(reference));
    disposeNetwork(net);
    expect(tf.memory().numTensors).toBe(before);
  });

  test('crc32 matches the standard check value', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
  });
});

describe('refusals', () => {
  const withCrc = (b: Uint8Array): Uint8Array => {
    const out = b.slice();
    new DataView(out.buffer).setUint32(
      out.length - 4,
      crc32(out.subarray(0, out.length - 4)),
      true
    );
    return out;
  };
  const header = (b: Uint8Array) => {
    const len = new DataView(b.buffer, b.byteOffset).getUint32(12, true);
    return JSON.parse(new TextDecoder().decode(b.subarray(16, 16 + len)));
  };
  /** Re-encodes with an edited header, keeping the tensor bytes. */
  const editHeader = (edit: (h: Record<string, unknown>) => void): Uint8Array => {
    const h = header(bytes);
    edit(h);
    const json = new TextEncoder().encode(JSON.stringify(h));
    const oldLen = new DataView(bytes.buffer).getUint32(12, true);
    const oldStart = (16 + oldLen + 7) & ~7;
    const start = (16 + json.length + 7) & ~7;
    const out = new Uint8Array(start + (bytes.length - oldStart));
    out.set(bytes.subarray(0, 16));
    new DataView(out.buffer).setUint32(12, json.length, true);
    out.set(json, 16);
    out.set(bytes.subarray(oldStart), start);
    return withCrc(out);
  };

  test.each([
    ['truncated', () => bytes.subarray(0, bytes.length - 100), /damaged/],
    [
      'one flipped bit',
      () => {
        const b = bytes.slice();
        b[bytes.length >> 1] ^= 1;
        return b;
      },
      /damaged/
    ],
    [
      'another format',
      () => new TextEncoder().encode('PK\u0003\u0004 a zip file, not a model!'),
      /not a Quench model/
    ],
    [
      'a newer version',
      () => {
        const b = bytes.slice();
        new DataView(b.buffer).setUint32(8, 9, true);
        return withCrc(b);
      },
      /version 9 is not supported/
    ],
    [
      'a tensor with the wrong shape',
      () =>
        editHeader((h) => {
          (h.tensors as { shape: number[] }[])[0].shape = [3, 3, 1, 99];
        }),
      /bytes for shape|needs float32/
    ],
    [
      'a tensor past the end',
      () =>
        editHeader((h) => {
          (h.tensors as { offset: number }[])[0].offset = 1 << 20;
        }),
      /past the end/
    ],
    [
      'one label',
      () =>
        editHeader((h) => {
          h.labels = ['only'];
        }),
      /at least two/
    ],
    [
      'an invalid spec',
      () =>
        editHeader((h) => {
          (h.spec as { layers: unknown[] }).layers = [{ type: 'teleport' }];
        }),
      /spec is invalid/
    ],
    [
      'a missing tensor',
      () =>
        editHeader((h) => {
          (h.tensors as unknown[]).pop();
        }),
      /missing/
    ]
  ])('%s', (_name, make, why) => {
    const attempt = () => networkFromContents(decodeModel(make()));
    expect(attempt).toThrow(ModelFileError);
    expect(attempt).toThrow(why);
  });

  test('random header edits and byte mutations only ever give ModelFileError', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(bytes.length - 1), fc.integer({ min: 0, max: 255 })), {
          minLength: 1,
          maxLength: 6
        }),
        fc.boolean(),
        (edits, fixCrc) => {
          let b: Uint8Array = bytes.slice();
          for (const [at, v] of edits) b[at] = v;
          if (fixCrc) b = withCrc(b);
          try {
            const net = networkFromContents(decodeModel(b));
            disposeNetwork(net);
          } catch (e) {
            expect(e).toBeInstanceOf(ModelFileError);
          }
        }
      ),
      { numRuns: 150, seed: 12 }
    );
  });
});

describe('the integer network in the file', () => {
  test('packing 1/2/4/8-bit indices round-trips', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(1, 2, 4, 8),
        fc.array(fc.nat(255), { maxLength: 100 }),
        (width, raw) => {
          const values = Uint8Array.from(raw, (v) => v % 2 ** width);
          const packed = packBits(values, width);
          expect(packed.length).toBe(Math.ceil((values.length * width) / 8));
          expect(Array.from(unpackBits(packed, width, values.length))).toEqual(Array.from(values));
        }
      ),
      { numRuns: 100, seed: 6 }
    );
  });

  test('stored with the model, reloaded identically; a deployment file runs the same and is smaller', () => {
    const int = convertToInt(contents);
    const full = encodeModel({ ...contents, int });
    const deploy = encodeModel({ ...contents, int }, { includeFloat: false });
    expect(deploy.length).toBeLessThan(full.length);
    const a = decodeModel(full);
    const b = decodeModel(deploy);
    expect(b.tensors).toEqual([]);
    expect(() => networkFromContents(b)).toThrow(/only the integer network/);
    for (let i = 0; i < probe.count; i++) {
      const x = probe.x.subarray(i * 64, (i + 1) * 64);
      const ref = runInt(int, x).logits;
      expect(runInt(a.int!, x).logits).toEqual(ref);
      expect(runInt(convertToInt(b), x).logits).toEqual(ref);
    }
  });

  test('an inconsistent integer network is refused', () => {
    const int = convertToInt(contents);
    const good = encodeModel({ ...contents, int }, { includeFloat: false });
    const len = new DataView(good.buffer).getUint32(12, true);
    const header = JSON.parse(new TextDecoder().decode(good.subarray(16, 16 + len)));
    const variants: [
      string,
      (h: { int: { ops: Record<string, unknown>[]; classes: number } }) => void,
      RegExp
    ][] = [
      ['wrong kernel', (h) => void (h.int.ops[0].kernel = [5, 5]), /table|values|indices|weight/],
      ['broken chain', (h) => void (h.int.ops[1].inShape = [3, 3, 3]), /do not chain/],
      ['unknown op', (h) => void (h.int.ops[1].op = 'teleport'), /unknown operation/],
      ['class count', (h) => void (h.int.classes = 7), /classifier|match/]
    ];
    for (const [_name, edit, why] of variants) {
      const h = JSON.parse(JSON.stringify(header));
      edit(h);
      const json = new TextEncoder().encode(JSON.stringify(h));
      const oldStart = (16 + len + 7) & ~7;
      const start = (16 + json.length + 7) & ~7;
      const out = new Uint8Array(start + (good.length - oldStart));
      out.set(good.subarray(0, 16));
      new DataView(out.buffer).setUint32(12, json.length, true);
      out.set(json, 16);
      out.set(good.subarray(oldStart), start);
      new DataView(out.buffer).setUint32(
        out.length - 4,
        crc32(out.subarray(0, out.length - 4)),
        true
      );
      expect(() => decodeModel(out)).toThrow(ModelFileError);
      expect(() => decodeModel(out)).toThrow(why);
    }
  });
});
