/**
 * Properties of the weight and activation quantizers, checked on random tensors with fast-check:
 * at most 2^b distinct levels, idempotence, error bounds (each weight lands on its nearest level),
 * sign symmetry, and the unbiasedness of stochastic rounding. 1 and 2 bits are always included.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { initTrainingBackend } from '../train/backend/init-backend';
import { createRng } from '../util/rng';
import {
  affineParams,
  chooseExponentialQ,
  levelsOf,
  quantizeActivationValue,
  quantizeAffineValue,
  quantizeExponential,
  quantizeKmeans,
  quantizeLinear,
  quantizeWeights,
  stochasticRound,
  type QuantizedWeights
} from './index';
import { fakeQuantActivation, fakeQuantWeights } from './fake-quant';
import type { WeightScheme } from '../spec/model-spec';
import { tableUnit } from './types';

const SCHEMES: WeightScheme[] = ['linear', 'exponential', 'kmeans'];
const RUNS = { numRuns: 60, seed: 20261123 };

/** A float32 weight tensor [rows, out] with values in ±range (subnormal-free, some exact zeros). */
const weights = fc
  .record({
    rows: fc.integer({ min: 1, max: 40 }),
    out: fc.integer({ min: 1, max: 6 }),
    range: fc.constantFrom(1e-3, 0.1, 1, 30),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    zeros: fc.double({ min: 0, max: 0.3, noNaN: true })
  })
  .map(({ rows, out, range, seed, zeros }) => {
    const rng = createRng(seed);
    const w = Float32Array.from({ length: rows * out }, () =>
      rng.next() < zeros ? 0 : range * (2 * rng.next() - 1)
    );
    return { w, shape: [rows, out] };
  });

const bitsArb = fc.integer({ min: 1, max: 8 });

/** The groups of weights that share levels: per output channel for linear, whole layer otherwise. */
function groupOf(qw: QuantizedWeights, i: number): number {
  return qw.scheme === 'linear' ? i % qw.shape[qw.shape.length - 1] : 0;
}

function quantize(w: Float32Array, shape: number[], bits: number, scheme: WeightScheme) {
  return quantizeWeights(w, shape, { bits, scheme });
}

describe.each(SCHEMES)('%s weights', (scheme) => {
  test('at most 2^b distinct levels per group, every value one of the reported levels', () => {
    fc.assert(
      fc.property(weights, bitsArb, ({ w, shape }, bits) => {
        const qw = quantize(w, shape, bits, scheme);
        const groups = levelsOf(qw);
        const seen = groups.map(() => new Set<number>());
        qw.values.forEach((v, i) => seen[groupOf(qw, i)].add(v));
        for (let g = 0; g < groups.length; g++) {
          expect(seen[g].size).toBeLessThanOrEqual(2 ** bits);
          expect(groups[g].length).toBeLessThanOrEqual(2 ** bits);
          const levels = Array.from(groups[g], (l) => Math.fround(l));
          for (const v of seen[g]) expect(levels).toContain(v);
        }
      }),
      RUNS
    );
  });

  test('idempotent: quantizing quantized weights changes nothing', () => {
    fc.assert(
      fc.property(weights, bitsArb, ({ w, shape }, bits) => {
        const once = quantize(w, shape, bits, scheme);
        // Exponential keeps its ratio; a fresh search may tie between ratios that give equal output.
        const twice =
          once.scheme === 'exponential'
            ? quantizeExponential(once.values, shape, bits, once.q)
            : quantize(once.values, shape, bits, scheme);
        expect(Array.from(twice.values)).toEqual(Array.from(once.values));
      }),
      RUNS
    );
  });

  test('each weight goes to its nearest level (the error bound)', () => {
    fc.assert(
      fc.property(weights, bitsArb, ({ w, shape }, bits) => {
        const qw = quantize(w, shape, bits, scheme);
        const groups = levelsOf(qw);
        for (let i = 0; i < w.length; i++) {
          const err = Math.abs(w[i] - qw.values[i]);
          let nearest = Infinity;
          for (const l of groups[groupOf(qw, i)]) nearest = Math.min(nearest, Math.abs(w[i] - l));
          if (scheme === 'linear' && bits === 1) {
            // Binary: the sign is kept, so the bound is the distance to the same-signed level.
            expect(Math.sign(qw.values[i]) * Math.sign(w[i])).not.toBe(-1);
            continue;
          }
          // Values are float32, levels float64: allow the float32 rounding of the value.
          expect(err).toBeLessThanOrEqual(nearest + 2 ** -23 * Math.abs(w[i]) + 1e-30);
        }
      }),
      RUNS
    );
  });

  // k-means is left out: its means are summed in the opposite order for −w, and the float rounding
  // of that can tip Lloyd's iterations into a different (mirrored only approximately) optimum.
  test.skipIf(scheme === 'kmeans')('quantizing −w gives −(quantized w)', () => {
    fc.assert(
      fc.property(weights, bitsArb, ({ w, shape }, bits) => {
        const nonzero = w.map((v) => (v === 0 ? 0.5 : v)); // 1-bit codes 0 as +, which breaks symmetry
        const pos = quantize(nonzero, shape, bits, scheme);
        const neg = quantize(
          nonzero.map((v) => -v),
          shape,
          bits,
          scheme
        );
        for (let i = 0; i < w.length; i++) {
          expect(neg.values[i] + pos.values[i]).toBe(0); // exact: +0 and −0 both pass
        }
      }),
      RUNS
    );
  });
});

describe('linear', () => {
  test('b ≥ 2: error at most half a step, the largest weight of each channel is exact', () => {
    fc.assert(
      fc.property(weights, fc.integer({ min: 2, max: 8 }), ({ w, shape }, bits) => {
        const qw = quantizeLinear(w, shape, bits);
        if (qw.scheme !== 'linear') throw new Error('scheme');
        const out = shape[1];
        for (let i = 0; i < w.length; i++) {
          const step = qw.scales[i % out];
          expect(Math.abs(w[i] - qw.values[i])).toBeLessThanOrEqual(step / 2 + 1e-6 * step);
          expect(Math.abs(qw.codes[i])).toBeLessThanOrEqual(2 ** (bits - 1) - 1);
        }
      }),
      RUNS
    );
  });

  test('1 bit: sign times the mean magnitude of the channel', () => {
    const qw = quantizeLinear(Float32Array.from([1, -2, -3, 4, 0, 6]), [3, 2], 1);
    // channel 0 holds 1, −3, 0 → mean |w| = 4/3; channel 1 holds −2, 4, 6 → 4.
    expect(Array.from(qw.values)).toEqual(
      [4 / 3, -4, -4 / 3, 4, 4 / 3, 4].map((v) => Math.fround(v))
    );
  });

  test('a channel of zeros stays zero', () => {
    const qw = quantizeLinear(new Float32Array(6), [3, 2], 4);
    expect(Array.from(qw.values)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  test('bits outside 1–16 are refused by name (9–16 serve float-trained weights)', () => {
    expect(() => quantizeLinear(new Float32Array(2), [2], 0)).toThrow(/weight bits/);
    expect(() => quantizeLinear(new Float32Array(2), [2], 17)).toThrow(/weight bits/);
    expect(() => quantizeLinear(new Float32Array(2), [2], 2.5)).toThrow(/weight bits/);
    expect(quantizeLinear(Float32Array.of(1, -0.5), [2, 1], 12).codes[1]).toBe(-1024);
    expect(() => quantizeKmeans(new Float32Array(2), [2], 9)).toThrow(/1 to 8/);
    expect(() => quantizeExponential(new Float32Array(2), [2], 9)).toThrow(/1 to 8/);
  });
});

describe('exponential', () => {
  test('q = ½ gives powers of two of the amplitude; b = 2 has levels {0, ±A}', () => {
    const w = Float32Array.from([1, 0.5, 0.26, -0.24, 0.13, -0.01]);
    const qw = quantizeExponential(w, [6], 3, 0.5);
    // 3 bits with zero: magnitudes A, A/2, A/4 and 0.
    expect(Array.from(qw.values)).toEqual([1, 0.5, 0.25, -0.25, 0.25, 0]);
    const two = quantizeExponential(w, [6], 2, 0.5);
    expect(new Set(Array.from(two.values).map(Math.abs))).toEqual(new Set([0, 1]));
  });

  test('the chosen q recovers the ratio of weights that lie on an exponential grid', () => {
    for (const q of [0.5, 0.3, 0.7]) {
      const rng = createRng(3);
      const w = Float32Array.from({ length: 500 }, () => {
        const j = rng.int(7);
        return (rng.next() < 0.5 ? -1 : 1) * 0.8 * q ** j;
      });
      w[0] = 0.8; // make the amplitude certain
      expect(chooseExponentialQ(w, 4)).toBeCloseTo(q, 2);
    }
  });

  test('q outside (0, 1) is refused', () => {
    expect(() => quantizeExponential(Float32Array.from([1]), [1], 3, 1)).toThrow(/q must be/);
    expect(() => quantizeExponential(Float32Array.from([1]), [1], 3, 0)).toThrow(/q must be/);
  });
});

describe('k-means', () => {
  test('a layer with at most 2^b distinct values keeps them, on the 13-bit table grid', () => {
    const w = Float32Array.from([0.3, -0.7, 0.3, 0.1, -0.7, 0.1, 0.9, 0.3]);
    const qw = quantizeKmeans(w, [8], 2);
    // max 0.9 → unit 2^−13: each value within half a unit, an exact multiple of it.
    qw.values.forEach((v, i) => {
      expect(Math.abs(v - w[i])).toBeLessThanOrEqual(2 ** -14);
      expect(Number.isInteger(v * 2 ** 13)).toBe(true);
    });
    expect(new Set(qw.values).size).toBe(4);
  });

  test('table levels are exact integers of one power-of-two unit (what the engine stores)', () => {
    fc.assert(
      fc.property(
        fc.float32Array({ minLength: 4, maxLength: 200, min: -1e6, max: 1e6, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        (w, bits) => {
          const k = quantizeKmeans(w, [w.length], bits);
          const e = quantizeExponential(w, [w.length], bits, 0.37, bits >= 2);
          for (const qw of [k, e]) {
            let max = 0;
            for (const v of qw.values) max = Math.max(max, Math.abs(v));
            const unit = tableUnit(max);
            for (const v of qw.values) {
              expect(Number.isInteger(v / (unit || 1))).toBe(true);
              expect(Math.abs(v / (unit || 1))).toBeLessThanOrEqual(2 ** 13);
            }
          }
        }
      ),
      RUNS
    );
  });

  test('finds well separated clusters', () => {
    const rng = createRng(5);
    const centres = [-1, -0.2, 0.4, 2];
    const w = Float32Array.from({ length: 400 }, (_, i) => centres[i % 4] + 0.01 * rng.normal());
    const qw = quantizeKmeans(w, [400], 2);
    if (qw.scheme !== 'kmeans') throw new Error('scheme');
    Array.from(qw.codebook).forEach((c, i) => expect(c).toBeCloseTo(centres[i], 2));
  });
});

describe('stochastic rounding', () => {
  test('lands on one of the two neighbouring levels of the grid', () => {
    fc.assert(
      fc.property(
        weights,
        fc.integer({ min: 1, max: 8 }),
        fc.constantFrom(...SCHEMES),
        fc.integer(),
        ({ w, shape }, bits, scheme, seed) => {
          const rounded = stochasticRound(w, shape, { bits, scheme }, createRng(seed));
          const groups = levelsOf(quantizeWeights(w, shape, { bits, scheme }));
          const out = shape[1];
          for (let i = 0; i < w.length; i++) {
            const levels = groups.length === 1 ? groups[0] : groups[i % out];
            const below = Math.max(...Array.from(levels).filter((l) => l <= w[i]), levels[0]);
            const above = Math.min(
              ...Array.from(levels).filter((l) => l >= w[i]),
              levels[levels.length - 1]
            );
            const r = rounded[i];
            const hit = [below, above].some((l) => Math.abs(r - l) <= 1e-6 * (1 + Math.abs(l)));
            expect(hit, `w=${w[i]} → ${r}, neighbours ${below} / ${above}`).toBe(true);
          }
        }
      ),
      RUNS
    );
  });

  test('is unbiased: the mean of many roundings is the weight', () => {
    // Levels of the 2-bit linear grid of channel max 1.5: −1.5, 0, 1.5 (scale 1.5).
    const w = Float32Array.from([1.5, 0.3, -0.9, 1.2]);
    const rng = createRng(11);
    const trials = 20000;
    const sums = new Float64Array(w.length);
    for (let t = 0; t < trials; t++) {
      const r = stochasticRound(w, [4, 1], { bits: 2, scheme: 'linear' }, rng);
      r.forEach((v, i) => (sums[i] += v));
    }
    // Standard error of a two-point draw ≤ 1.5/2/√20000 ≈ 0.0053; allow 4σ.
    sums.forEach((s, i) => expect(Math.abs(s / trials - w[i])).toBeLessThan(0.022));
  });
});

describe('activations', () => {
  test('unsigned uniform: ≤ 2^b levels in [0, max], idempotent, error ≤ half a step', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: -10, max: 20, noNaN: true }), { minLength: 1, maxLength: 50 }),
        fc.integer({ min: 1, max: 8 }),
        fc.double({ min: 0.01, max: 15, noNaN: true }),
        (xs, bits, max) => {
          const q = xs.map((x) => quantizeActivationValue(x, bits, max));
          expect(new Set(q).size).toBeLessThanOrEqual(2 ** bits);
          const step = max / (2 ** bits - 1);
          xs.forEach((x, i) => {
            expect(q[i]).toBeGreaterThanOrEqual(0);
            expect(q[i]).toBeLessThanOrEqual(max * (1 + 1e-12));
            if (x >= 0 && x <= max) expect(Math.abs(q[i] - x)).toBeLessThanOrEqual(step / 2 + 1e-9);
            if (x <= 0) expect(q[i]).toBe(0);
            expect(quantizeActivationValue(q[i], bits, max)).toBeCloseTo(q[i], 9);
          });
        }
      ),
      RUNS
    );
  });

  test('affine input quantizer represents zero exactly and keeps 2^b codes', () => {
    fc.assert(
      fc.property(
        fc.double({ min: -5, max: 5, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        fc.integer({ min: 1, max: 8 }),
        (min, span, bits) => {
          const p = affineParams(min, min + span, bits);
          expect(quantizeAffineValue(0, p)).toBe(0);
          expect(p.zeroPoint).toBeGreaterThanOrEqual(0);
          expect(p.zeroPoint).toBeLessThanOrEqual(2 ** bits - 1);
        }
      ),
      RUNS
    );
  });
});

describe('straight-through estimators', () => {
  beforeAll(async () => {
    await initTrainingBackend({ backend: 'cpu' });
  });

  test('fake-quantized weights: forward equals the JS quantizer, gradient passes through', () => {
    const w = tf.tensor2d([0.3, -0.8, 0.05, 0.6, -0.1, 0.9], [3, 2]);
    const before = tf.memory().numTensors;
    const opts = { bits: 3, scheme: 'linear' as const };
    const y = fakeQuantWeights(w, opts);
    expect(Array.from(y.dataSync())).toEqual(
      Array.from(quantizeWeights(w.dataSync() as Float32Array, [3, 2], opts).values)
    );
    const r = tf.tensor2d([1, 2, 3, 4, 5, 6], [3, 2]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(fakeQuantWeights(v, opts), r)))(w);
    expect(Array.from(g.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    tf.dispose([y, r, g]);
    expect(tf.memory().numTensors).toBe(before);
    w.dispose();
  });

  test('fake-quantized activations: clipped straight-through gradient', () => {
    const x = tf.tensor1d([-1, 0.2, 0.5, 1.4, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(fakeQuantActivation(v, 2, 1.5)))(x);
    expect(Array.from(g.dataSync())).toEqual([0, 1, 1, 1, 0]);
    const y = fakeQuantActivation(x, 2, 1.5);
    expect(Array.from(y.dataSync())).toEqual([0, 0, 0.5, 1.5, 1.5]);
    tf.dispose([x, g, y]);
  });
});
