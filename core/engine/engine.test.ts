/**
 * The integer engine against the fake-quantized tfjs model it was converted from, for every weight
 * scheme and several widths; its convolution against a naive integer reference (stride 2, same
 * and valid); fixed-point requantization against exact rational arithmetic; counters that follow
 * the non-zeros; the registry; and the refusals.
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { networkToContents } from '../model-file/network-io';
import { applyOverrides, checkServable, resolveSpec } from '../spec';
import { initTrainingBackend } from '../train/backend/init-backend';
import { predictProbabilities } from '../train/evaluate';
import { disposeNetwork } from '../train/network';
import { train } from '../train/trainer';
import { createRng } from '../util/rng';
import { quantizeExponential, quantizeKmeans, quantizeLinear } from '../quant';
import { ConvertError, convertToInt, fixedPoint, weightStore } from './convert';
import { runInt } from './engine';
import type { IntConv, IntMaxPool } from './int-model';
import { emptyCounters } from './counters';
import { convImpl } from './kernels/conv';
import { setWasmKernels, simdAvailable } from './kernels/wasm-runtime';
import { registerKernel, registerEngineKernels } from './kernels/registry';
import { requantize } from './kernels/requantize';
import { kwtaImpl } from './kernels/kwta';
import { maxPoolImpl } from './kernels/max-pool';
import { kwtaMask } from '../sparsify/k-wta';
import { blobs, blobsSpec } from '../../test/fixtures/blobs';

const BASE = blobsSpec('engine-test', 4);

/** Runs `check` with the WebAssembly kernels, then with the JavaScript loops. */
function bothKernelSets(check: () => void): void {
  expect(simdAvailable()).toBe(true);
  for (const wasm of [true, false]) {
    setWasmKernels(wasm);
    try {
      check();
    } finally {
      setWasmKernels(true);
    }
  }
}

const trainSet = blobs(240, 1);
const testSet = blobs(150, 2);

beforeAll(async () => {
  await initTrainingBackend({ backend: 'wasm' });
});

const CONFIGS: [string, Parameters<typeof applyOverrides>[1]][] = [
  ['4-bit linear, 4-bit acts', {}],
  ['8-bit linear, 8-bit acts', { weightBits: 8, actBits: 8 }],
  ['2-bit linear, 3-bit acts', { weightBits: 2, actBits: 3 }],
  ['1-bit linear (binary)', { weightBits: 1 }],
  ['3-bit exponential (q chosen per layer)', { weightBits: 3, weightScheme: 'exponential' }],
  ['4-bit k-means', { weightBits: 4, weightScheme: 'kmeans' }]
];

describe('engine vs the fake-quantized tfjs model, x=[12,12,1] conv8-conv12/s2-gap-dense', () => {
  for (const [name, overrides] of CONFIGS) {
    test(name, async () => {
      const spec = applyOverrides(BASE, overrides);
      const run = await train(spec, trainSet, { seed: 5 });
      const contents = networkToContents(run.network, spec, ['v', 'h', 'd'], {}, '');
      const probs = predictProbabilities(run.network, testSet);
      disposeNetwork(run.network);
      const model = convertToInt(contents);
      let agree = 0;
      let worst = 0;
      for (let i = 0; i < testSet.count; i++) {
        const r = runInt(model, testSet.x.subarray(i * 144, (i + 1) * 144));
        const p = probs.subarray(i * 3, i * 3 + 3);
        const a = p.indexOf(Math.max(...p));
        const b = r.probabilities.indexOf(Math.max(...r.probabilities));
        // Where the tfjs model's top two are within 1e-4 (a rounding edge), either choice counts.
        if (a === b || Math.abs(p[a] - p[b]) < 1e-4) agree++;
        for (let c = 0; c < 3; c++) worst = Math.max(worst, Math.abs(p[c] - r.probabilities[c]));
      }
      expect(agree / testSet.count).toBeGreaterThanOrEqual(0.995);
      // Probabilities agree closely: the engine differs only where a value sits on a rounding edge.
      expect(worst).toBeLessThan(0.05);
      // The WebAssembly kernels and the JavaScript loops give the same logits, counters and wins.
      expect(simdAvailable()).toBe(true);
      for (let i = 0; i < 30; i++) {
        const input = testSet.x.subarray(i * 144, (i + 1) * 144);
        const fast = runInt(model, input);
        setWasmKernels(false);
        try {
          expect(runInt(model, input)).toEqual(fast);
        } finally {
          setWasmKernels(true);
        }
      }
    });
  }

  test('weight stores reproduce the quantized values: linear exactly, q = ½ as powers of two', () => {
    const rng = createRng(8);
    const w = Float32Array.from({ length: 3 * 3 * 2 * 4 }, () => rng.normal());
    const shape = [3, 3, 2, 4];
    for (const q of [quantizeExponential(w, shape, 4, 0.5), quantizeLinear(w, shape, 3)]) {
      const store = weightStore(q);
      store.values.forEach((v, i) => expect(v * store.scale[i % 4]).toBeCloseTo(q.values[i], 6));
      if (q.scheme === 'exponential') {
        expect(store.powerOfTwo).toBe(true);
        for (const v of store.values)
          expect(v === 0 || Number.isInteger(Math.log2(Math.abs(v)))).toBe(true);
      }
    }
    const km = quantizeKmeans(w, shape, 3);
    const store = weightStore(km);
    expect(store.powerOfTwo).toBe(false);
    store.values.forEach((v, i) =>
      expect(Math.abs(v * store.scale[0] - km.values[i])).toBeLessThan(store.scale[0])
    );
  });
});

/** Plain gather convolution on integers: the reference for the scatter kernel. */
function naiveConv(op: IntConv, x: Int32Array): Float64Array {
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  const [kh, kw] = op.kernel;
  const acc = new Float64Array(outH * outW * outC);
  for (let oh = 0; oh < outH; oh++)
    for (let ow = 0; ow < outW; ow++)
      for (let o = 0; o < outC; o++) {
        let s = 0;
        for (let r = 0; r < kh; r++)
          for (let q = 0; q < kw; q++) {
            const ih = oh * op.stride - op.pad.top + r;
            const iw = ow * op.stride - op.pad.left + q;
            if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
            for (let c = 0; c < inC; c++)
              s +=
                x[(ih * inW + iw) * inC + c] *
                op.weights.values[((r * kw + q) * inC + c) * outC + o];
          }
        acc[(oh * outW + ow) * outC + o] = s;
      }
  return acc;
}

describe('integer convolution kernel', () => {
  const cases: [number[], number[], number, 'same' | 'valid'][] = [
    [[7, 9, 3], [3, 3, 3, 5], 2, 'same'],
    [[6, 6, 4], [3, 3, 4, 8], 1, 'same'],
    [[8, 5, 2], [2, 3, 2, 4], 2, 'valid'],
    [[5, 5, 1], [1, 1, 1, 3], 1, 'valid'],
    // Output channels beyond one and two blocks of 16 (the SIMD kernel pads them).
    [[6, 7, 5], [3, 3, 5, 17], 1, 'same'],
    [[9, 9, 3], [3, 3, 3, 36], 2, 'valid']
  ];
  for (const [inShape, k, stride, padding] of cases) {
    test(`x=[${inShape}] w=[${k}] s=${stride} ${padding}, 60 % zeros: exact, MACs follow non-zeros`, () => {
      const rng = createRng(inShape[0] * 31 + k[3]);
      const [inH, inW] = inShape;
      const outH =
        padding === 'same' ? Math.ceil(inH / stride) : Math.ceil((inH - k[0] + 1) / stride);
      const outW =
        padding === 'same' ? Math.ceil(inW / stride) : Math.ceil((inW - k[1] + 1) / stride);
      const padH = padding === 'same' ? Math.max(0, (outH - 1) * stride + k[0] - inH) : 0;
      const padW = padding === 'same' ? Math.max(0, (outW - 1) * stride + k[1] - inW) : 0;
      const outC = k[3];
      // Identity requantization: m = 2^30, shift 30, bias 0, wide maxCode → output = acc clamped at 0.
      const op: IntConv = {
        op: 'conv',
        name: 'c',
        inShape: inShape as [number, number, number],
        outShape: [outH, outW, outC],
        kernel: [k[0], k[1]],
        stride,
        pad: { top: Math.floor(padH / 2), left: Math.floor(padW / 2) },
        weights: {
          scheme: 'linear',
          bits: 4,
          indices: new Uint8Array(0), // the kernel reads only the decoded values
          table: new Int32Array(0),
          values: Int32Array.from({ length: k.reduce((a, b) => a * b) }, () => rng.int(15) - 7),
          scale: new Float64Array(outC).fill(1),
          powerOfTwo: false
        },
        requant: {
          m: new Int32Array(outC).fill(2 ** 30),
          shift: new Int32Array(outC).fill(30),
          bias: new Float64Array(outC),
          maxCode: 2 ** 30
        },
        outBits: 8,
        outStep: 1
      };
      const x = Int32Array.from({ length: inShape.reduce((a, b) => a * b) }, () =>
        rng.next() < 0.6 ? 0 : rng.int(15) + 1
      );
      const counters = emptyCounters('c', 'conv');
      const y = convImpl(op, x, counters, 4);
      // The JavaScript loop and the WebAssembly SIMD loop agree exactly.
      expect(simdAvailable()).toBe(true);
      setWasmKernels(false);
      const jsCounters = emptyCounters('c', 'conv');
      const yJs = convImpl(op, x, jsCounters, 4);
      setWasmKernels(true);
      expect(Array.from(yJs)).toEqual(Array.from(y));
      expect(jsCounters).toEqual(counters);
      const ref = naiveConv(op, x);
      expect(y.length).toBe(ref.length);
      expect(Array.from(y)).toEqual(Array.from(ref, (v) => Math.max(0, v)));
      expect(counters.denseMacs).toBe(outH * outW * k[0] * k[1] * k[2] * outC);
      // Executed MACs: each non-zero input times the outputs it actually reaches.
      let reach = 0;
      for (let oh = 0; oh < outH; oh++)
        for (let ow = 0; ow < outW; ow++)
          for (let r = 0; r < k[0]; r++)
            for (let q = 0; q < k[1]; q++) {
              const ih = oh * stride - op.pad.top + r;
              const iw = ow * stride - op.pad.left + q;
              if (ih < 0 || ih >= inH || iw < 0 || iw >= inW) continue;
              for (let c = 0; c < k[2]; c++) if (x[(ih * inW + iw) * k[2] + c] !== 0) reach += outC;
            }
      expect(counters.executedMacs).toBe(reach);
      expect(counters.executedMacs).toBeLessThan(counters.denseMacs);
    });
  }
});

describe('integer k-WTA', () => {
  test('counting selection picks exactly the winners of the reference mask, ties included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 64 }),
        fc.integer({ min: 1, max: 8 }),
        fc.integer(),
        (channels, bits, seed) => {
          const rng = createRng(seed);
          const locations = 1 + rng.int(20);
          const k = 1 + rng.int(channels);
          // Mostly few distinct codes, so ties at the k-th value are common; sometimes all levels.
          const spread = rng.next() < 0.7 ? Math.min(4, 2 ** bits) : 2 ** bits;
          const x = Int32Array.from({ length: locations * channels }, () =>
            rng.next() < 0.3 ? 0 : rng.int(spread)
          );
          const op = {
            op: 'kwta' as const,
            name: 'k',
            shape: [1, locations, channels] as [number, number, number],
            k
          };
          const winsB = new Float32Array(channels);
          const mask = kwtaMask(x, channels, k, undefined, winsB);
          const expected = Array.from(x, (v, i) => (mask[i] ? v : 0));
          // WebAssembly histogram, then the JavaScript choice (counting or the mask).
          bothKernelSets(() => {
            const winsA = new Float32Array(channels);
            const counters = emptyCounters('k', 'kwta');
            const y = kwtaImpl(op, x, counters, bits, winsA);
            expect(Array.from(y)).toEqual(expected);
            expect(Array.from(winsA)).toEqual(Array.from(winsB));
            expect(counters.outputNonZero).toBe(expected.filter((v) => v !== 0).length);
            expect(counters.inputNonZero).toBe(x.filter((v) => v !== 0).length);
          });
        }
      ),
      { numRuns: 300, seed: 5 }
    );
  });
});

describe('integer max pooling', () => {
  test('2×2 / 2 windows: SIMD, JavaScript and a naive reference agree, counters included', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 11 }),
        fc.integer({ min: 2, max: 11 }),
        fc.integer({ min: 1, max: 13 }),
        fc.integer(),
        (inH, inW, c, seed) => {
          const rng = createRng(seed);
          const x = Int32Array.from({ length: inH * inW * c }, () =>
            rng.next() < 0.5 ? 0 : rng.int(16)
          );
          const [outH, outW] = [Math.floor(inH / 2), Math.floor(inW / 2)];
          const op: IntMaxPool = {
            op: 'maxpool',
            name: 'p',
            inShape: [inH, inW, c],
            outShape: [outH, outW, c],
            size: 2,
            stride: 2,
            pad: { top: 0, left: 0 }
          };
          const ref: number[] = [];
          for (let oh = 0; oh < outH; oh++)
            for (let ow = 0; ow < outW; ow++)
              for (let k = 0; k < c; k++) {
                let m = -Infinity;
                for (let dh = 0; dh < 2; dh++)
                  for (let dw = 0; dw < 2; dw++)
                    m = Math.max(m, x[((2 * oh + dh) * inW + 2 * ow + dw) * c + k]);
                ref.push(m);
              }
          bothKernelSets(() => {
            const counters = emptyCounters('p', 'maxpool');
            const y = maxPoolImpl(op, x, counters, 4);
            expect(Array.from(y)).toEqual(ref);
            expect(counters.outputNonZero).toBe(ref.filter((v) => v !== 0).length);
            expect(counters.inputNonZero).toBe(x.filter((v) => v !== 0).length);
          });
        }
      ),
      { numRuns: 200, seed: 6 }
    );
  });
});

describe('fixed-point requantization', () => {
  test('equals round-half-up of acc·M + B computed exactly in rationals', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31) + 1, max: 2 ** 31 - 1 }),
        fc.double({ min: 1e-6, max: 0.9, noNaN: true }),
        fc.double({ min: -300, max: 300, noNaN: true }),
        (acc, M, B) => {
          const { m, shift } = fixedPoint(M);
          const bias = Math.round(B * 2 ** shift);
          const r = {
            m: Int32Array.of(m),
            shift: Int32Array.of(shift),
            bias: Float64Array.of(bias),
            maxCode: 2 ** 31
          };
          const exact =
            (BigInt(acc) * BigInt(m) + BigInt(bias) + (1n << BigInt(shift - 1))) >> BigInt(shift);
          const clamped = exact < 0n ? 0 : Number(exact);
          expect(requantize(acc, r, 0)).toBe(Math.min(clamped, 2 ** 31));
          expect(Math.abs(m / 2 ** shift - M) / M).toBeLessThan(2 ** -30);
        }
      ),
      { numRuns: 500, seed: 4 }
    );
  });
});

describe('registry and refusals', () => {
  test('a second kernel for an op is rejected', () => {
    registerEngineKernels();
    expect(() => registerKernel({ op: 'conv', run: () => new Int32Array(0) })).toThrow(
      /already registered/
    );
  });

  test('float weights are served at 12 bits, float activations at 8, agreeing with the float model', async () => {
    const spec = applyOverrides(BASE, { weightBits: 32, actBits: 32, kwta: 1 });
    const run = await train(spec, trainSet, { seed: 5, epochs: 3 });
    const contents = networkToContents(run.network, spec, ['v', 'h', 'd'], {}, '');
    const probs = predictProbabilities(run.network, testSet);
    disposeNetwork(run.network);
    const model = convertToInt(contents);
    expect(model.input.bits).toBe(8);
    for (const op of model.ops) {
      if ('weights' in op) expect([op.name, op.weights.bits]).toEqual([op.name, 12]);
      if ('outBits' in op && op.outBits !== undefined) expect(op.outBits).toBe(8);
    }
    let agree = 0;
    for (let i = 0; i < testSet.count; i++) {
      const r = runInt(model, testSet.x.subarray(i * 144, (i + 1) * 144));
      const p = Array.from(probs.subarray(i * 3, i * 3 + 3));
      const q = Array.from(r.probabilities);
      if (p.indexOf(Math.max(...p)) === q.indexOf(Math.max(...q))) agree++;
    }
    expect(agree / testSet.count).toBeGreaterThanOrEqual(0.99);
  });

  test('what the engine could not serve as trained is refused: float input, k-WTA on float activations', () => {
    const floatInput = applyOverrides(BASE, {});
    floatInput.quant.inputBits = 32;
    expect(() => checkServable(resolveSpec(floatInput, 3))).toThrow(
      /quant.inputBits: the model input must be quantized/
    );
    const floatActs = applyOverrides(BASE, { actBits: 32, kwta: 0.5 });
    expect(() => checkServable(resolveSpec(floatActs, 3))).toThrow(
      /layers\[4\]: k-WTA .* needs quantized activations/
    );
    expect(() =>
      checkServable(resolveSpec(applyOverrides(BASE, { actBits: 32, kwta: 1 }), 3))
    ).not.toThrow();
  });

  test('a model without a recorded activation range is refused by layer name', async () => {
    const run = await train(BASE, trainSet, { seed: 5, epochs: 1 });
    const contents = networkToContents(run.network, BASE, ['v', 'h', 'd'], {}, '');
    disposeNetwork(run.network);
    const relu = Object.keys(contents.stats.actMax)[0];
    delete contents.stats.actMax[relu];
    expect(() => convertToInt(contents)).toThrow(ConvertError);
    expect(() => convertToInt(contents)).toThrow(
      new RegExp(`${relu}: no recorded activation range`)
    );
  });

  test('input of the wrong size is refused', async () => {
    const run = await train(BASE, trainSet, { seed: 5, epochs: 1 });
    const contents = networkToContents(run.network, BASE, ['v', 'h', 'd'], {}, '');
    disposeNetwork(run.network);
    expect(() => runInt(convertToInt(contents), new Float32Array(10))).toThrow(
      /expects 12×12×1 = 144 values/
    );
  });
});
