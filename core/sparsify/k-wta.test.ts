/**
 * The k-WTA tf op against the plain-number reference, on the cpu and wasm backends: random values
 * with many ties (drawn from a few integers), both NHWC and [N, C] inputs, boosting, the gradient
 * (dy through the winners only), fraction 1 as identity, and no leaked tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import fc from 'fast-check';
import { beforeAll, describe, expect, test } from 'vitest';
import { initTrainingBackend } from '../train/backend/init-backend';
import { createRng } from '../util/rng';
import { boostFactors, kwta, kwtaK, kwtaWinners, kwtaWithCounts, updateDutyCycles } from './index';

const BACKENDS = ['cpu', 'wasm'] as const;

beforeAll(async () => {
  await initTrainingBackend({ backend: 'cpu' });
  await initTrainingBackend({ backend: 'wasm' });
});

const inputs = fc
  .record({
    shape: fc.oneof(
      fc.tuple(
        fc.integer({ min: 1, max: 3 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 4 }),
        fc.integer({ min: 1, max: 20 })
      ),
      fc.tuple(fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }))
    ),
    fraction: fc.constantFrom(0.05, 0.1, 0.25, 0.3, 0.5, 0.9, 1),
    ties: fc.boolean(),
    seed: fc.integer({ min: 0, max: 2 ** 31 - 1 })
  })
  .map(({ shape, fraction, ties, seed }) => {
    const rng = createRng(seed);
    const size = (shape as number[]).reduce((a, b) => a * b);
    // With ties, values come from {−2 … 3}: most locations have equal values at the k-th place.
    const values = Float32Array.from({ length: size }, () =>
      ties ? rng.int(6) - 2 : rng.normal()
    );
    return { shape: shape as number[], fraction, values };
  });

describe.each(BACKENDS)('k-WTA on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
  });

  test('keeps exactly the reference winners (ties to the lower channel, never a value ≤ 0)', () => {
    fc.assert(
      fc.property(inputs, ({ shape, fraction, values }) => {
        const channels = shape[shape.length - 1];
        const x = tf.tensor(values, shape);
        const y = kwta(x, fraction);
        const got = y.dataSync();
        tf.dispose([x, y]);
        if (fraction === 1) {
          expect(Array.from(got)).toEqual(Array.from(values));
          return;
        }
        const mask = kwtaWinners(values, channels, kwtaK(channels, fraction));
        // + 0 folds the −0 of (negative loser)·0 into 0.
        expect(Array.from(got, (v) => v + 0)).toEqual(
          Array.from(values, (v, i) => (mask[i] ? v : 0))
        );
      }),
      { numRuns: 80, seed: 7 }
    );
  });

  test('the gradient is dy at the winners and 0 elsewhere', () => {
    fc.assert(
      fc.property(inputs, ({ shape, fraction, values }) => {
        const channels = shape[shape.length - 1];
        const x = tf.tensor(values, shape);
        const dyValues = Float32Array.from(values, (_, i) => 1 + (i % 7));
        const dy = tf.tensor(dyValues, shape);
        const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(kwta(v, fraction), dy)))(x);
        const got = Array.from(g.dataSync());
        tf.dispose([x, dy, g]);
        const mask =
          fraction === 1
            ? new Uint8Array(values.length).fill(1)
            : kwtaWinners(values, channels, kwtaK(channels, fraction));
        expect(got).toEqual(Array.from(dyValues, (d, i) => (mask[i] ? d : 0)));
      }),
      { numRuns: 40, seed: 8 }
    );
  });

  test('boost picks winners by value·boost but passes the unboosted values', () => {
    // One location, 4 channels: channel 3 is weakest but boosted ×10, so it beats channel 0.
    const x = tf.tensor2d([[3, 2, 1, 0.5]]);
    const boost = tf.tensor1d([1, 1, 1, 10]);
    const { output, counts } = kwtaWithCounts(x, 0.5, boost);
    expect(Array.from(output.dataSync())).toEqual([3, 0, 0, 0.5]);
    expect(Array.from(counts.dataSync())).toEqual([1, 0, 0, 1]);
    tf.dispose([x, boost, output, counts]);
  });

  test('counts how many locations each channel won', () => {
    const x = tf.tensor4d([1, 5, 3, 9, 2, 4, 7, 7, 0, 8, 0, 0], [1, 1, 4, 3]);
    const { output, counts } = kwtaWithCounts(x, 0.34); // k = 2 of 3
    // Locations: (1,5,3) → 5,3; (9,2,4) → 9,4; (7,7,0) → 7,7; (8,0,0) → 8 only (0 never wins).
    expect(Array.from(counts.dataSync())).toEqual([3, 2, 2]);
    tf.dispose([x, output, counts]);
  });

  test('leaves no tensors behind, forward or backward', () => {
    const x = tf.randomNormal([2, 3, 3, 8]);
    const before = tf.memory().numTensors;
    for (const f of [0.25, 1]) {
      const { output, counts } = kwtaWithCounts(x, f);
      const g = tf.grad((v: tf.Tensor) => tf.sum(kwta(v, f)))(x);
      tf.dispose([output, counts, g]);
    }
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});

describe('k and boosting arithmetic', () => {
  test('k = ceil(fraction·C) without floating-point surprises, at least 1', () => {
    expect(kwtaK(8, 0.25)).toBe(2);
    expect(kwtaK(10, 0.3)).toBe(3);
    expect(kwtaK(16, 0.1)).toBe(2);
    expect(kwtaK(3, 0.01)).toBe(1);
    expect(kwtaK(5, 1)).toBe(5);
    expect(() => kwtaK(5, 0)).toThrow(/fraction/);
    expect(() => kwtaK(5, 1.5)).toThrow(/fraction/);
  });

  test('duty cycles follow an EMA of win rates; rarely winning channels get boosted', () => {
    const duty = new Float32Array([0.5, 0.5]);
    updateDutyCycles(duty, [10, 0], 10, 0.9); // channel 0 won everywhere, channel 1 nowhere
    expect(duty[0]).toBeCloseTo(0.55, 6);
    expect(duty[1]).toBeCloseTo(0.45, 6);
    const b = boostFactors(duty, 0.5, 2);
    expect(b[0]).toBeLessThan(1);
    expect(b[1]).toBeGreaterThan(1);
    expect(Array.from(boostFactors(duty, 0.5, 0))).toEqual([1, 1]);
    expect(() => updateDutyCycles(duty, [1], 10, 0.9)).toThrow(/2 channels/);
  });
});
