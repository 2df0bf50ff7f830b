/**
 * The energy model: the table holds the cited values, the width scaling follows ENERGY.md, a
 * two-layer network's estimate matches a hand computation term by term, activations move
 * run-length coded as Eyeriss codes them, and on the bundled demo model the estimate moves with
 * the input (silence, noise and a voiced sound cost different amounts, in memory too).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { convertToInt } from '../engine/convert';
import { runLengthPairs } from '../engine/counters';
import { runInt } from '../engine/engine';
import { layerSummaries, type LayerSummary } from '../engine/evaluate-int';
import type { IntModel, WeightStore } from '../engine/int-model';
import { LogMelFrontEnd, type LogMelSettings } from '../features/logmel';
import { decodeModel } from '../model-file/model-file';
import { createRng } from '../util/rng';
import {
  activationWords,
  addPj,
  defaultEnergyTable,
  ENERGY_TABLE,
  memoryWordPj,
  mulPj
} from './energy-table';
import { coinCellHours, estimateEnergy, powerWatts } from './estimate';

describe('the energy table', () => {
  test('holds the values cited in ENERGY.md (Horowitz ISSCC 2014, Eyeriss ISCA 2016)', () => {
    const cited: Record<string, number> = {
      intAdd8: 0.03,
      intAdd32: 0.1,
      intMul8: 0.2,
      intMul32: 3.1,
      fp16Add: 0.4,
      fp16Mul: 1.1,
      fp32Add: 0.9,
      fp32Mul: 3.7,
      sram8KBRead64: 10,
      sram32KBRead64: 20,
      sram1MBRead64: 100,
      dramAccess64Low: 1300,
      dramAccess64High: 2600,
      eyerissRegisterFile: 1,
      eyerissNeighbourPE: 2,
      eyerissGlobalBuffer: 6,
      eyerissDram: 200
    };
    for (const [k, v] of Object.entries(cited)) {
      expect(ENERGY_TABLE[k as keyof typeof ENERGY_TABLE].value, k).toBe(v);
      expect(ENERGY_TABLE[k as keyof typeof ENERGY_TABLE].source, k).toMatch(/Horowitz|Eyeriss/);
    }
    expect(ENERGY_TABLE.dramAccess64.value).toBe((1300 + 2600) / 2);
    // Eyeriss's run-length code: 5-bit runs, 64-bit words with one flag bit.
    expect(ENERGY_TABLE.rlcRunBits.value).toBe(5);
    expect(ENERGY_TABLE.rlcFlagBits.value).toBe(1);
    expect(ENERGY_TABLE.rlcRunBits.source).toMatch(/Eyeriss, IEEE JSSC 2017/);
  });

  test('adders scale linearly, multipliers with the product of widths', () => {
    const t = defaultEnergyTable();
    expect(addPj(8, t)).toBeCloseTo(0.03, 12);
    expect(addPj(4, t)).toBeCloseTo(0.015, 12);
    expect(addPj(32, t)).toBe(0.1);
    expect(mulPj(8, 8, t)).toBeCloseTo(0.2, 12);
    expect(mulPj(4, 4, t)).toBeCloseTo(0.05, 12);
    expect(mulPj(2, 8, t)).toBeCloseTo(0.05, 12);
    expect(mulPj(32, 32, t)).toBe(3.1);
    expect(memoryWordPj(8 * 1024, t).pj).toBe(10);
    expect(memoryWordPj(8 * 1024 + 1, t).pj).toBe(20);
    expect(memoryWordPj(2 ** 20, t).pj).toBe(100);
    expect(memoryWordPj(2 ** 20 + 1, t)).toEqual({ pj: 1950, where: 'DRAM' });
  });
});

const store = (n: number, bits: number, powerOfTwo = false): WeightStore => ({
  scheme: powerOfTwo ? 'exponential' : 'linear',
  bits,
  indices: new Uint8Array(n),
  table: new Int32Array(1),
  values: new Int32Array(n),
  scale: new Float64Array(2),
  powerOfTwo
});

/** conv 1×1, 2 → 2 channels on a 2×2×2 input (4-bit weights, 4-bit output), then dense 8 → 2. */
function tinyModel(powerOfTwo = false): IntModel {
  const requant = {
    m: new Int32Array(2),
    shift: new Int32Array(2),
    bias: new Float64Array(2),
    maxCode: 15
  };
  return {
    input: { shape: [2, 2, 2], bits: 8, scale: 1, zeroPoint: 0 },
    classes: 2,
    ops: [
      {
        op: 'conv',
        name: 'c',
        inShape: [2, 2, 2],
        outShape: [2, 2, 2],
        kernel: [1, 1],
        stride: 1,
        pad: { top: 0, left: 0 },
        weights: store(4, 4, powerOfTwo),
        requant,
        outBits: 4,
        outStep: 1
      },
      {
        op: 'dense',
        name: 'd',
        inSize: 8,
        outSize: 2,
        weights: store(16, 4),
        logitScale: new Float64Array(2),
        logitBias: new Float64Array(2)
      }
    ]
  };
}

const summaries: LayerSummary[] = [
  {
    name: 'c',
    op: 'conv',
    bits: 4,
    density: 0.5,
    inputs: 8,
    outputs: 8,
    macs: 16,
    effectiveMacs: 8,
    weightBits: 16,
    activationBitsRead: 64,
    activationBitsWritten: 32
  },
  {
    name: 'd',
    op: 'dense',
    bits: 4,
    density: 1,
    inputs: 8,
    outputs: 2,
    macs: 16,
    effectiveMacs: 12,
    weightBits: 64,
    activationBitsRead: 32,
    activationBitsWritten: 64
  }
];

describe('composition on a hand-computed example', () => {
  test('conv 1×1 + dense: every term as computed by hand', () => {
    const e = estimateEnergy(tinyModel(), summaries);
    // conv: MAC = mul(4×8) 0.1 + add32 0.1 = 0.2 pJ; 8 executed → 1.6; requant 8 × 3.1 = 24.8.
    // Memory (everything fits the 8 KB SRAM, 10 pJ/word): weights 1 word, activations 1 + 1 words.
    expect(e.layers[0].computePj).toBeCloseTo(26.4, 9);
    expect(e.layers[0].memoryPj).toBeCloseTo(30, 9);
    expect(e.layers[0].gatedPj).toBeCloseTo(26.4 + 8 * 0.2 * 0.1 + 30, 9);
    expect(e.layers[0].intDensePj).toBeCloseTo(16 * 0.2 + 24.8 + 30, 9);
    // dense: MAC = mul(4×4) 0.05 + 0.1; 12 executed → 1.8; 2 outputs × 3.1 = 6.2; memory 1 + 1 + 1 words.
    expect(e.layers[1].totalPj).toBeCloseTo(1.8 + 6.2 + 30, 9);
    expect(e.totalPj).toBeCloseTo(56.4 + 38, 9);
    // float32 reference: conv 16 × 4.6 + 8 × 4.6 + weights 2 words + activations 4 + 4 words.
    expect(e.layers[0].floatDensePj).toBeCloseTo(73.6 + 36.8 + 20 + 80, 9);
    // dense: 16 × 4.6 + 2 × 4.6 + weights 8 words + activations 4 + 1 words.
    expect(e.layers[1].floatDensePj).toBeCloseTo(73.6 + 9.2 + 80 + 50, 9);
    expect(e.floatDensePj).toBeCloseTo(210.4 + 212.8, 9);
    expect(e.weightsIn).toBe('SRAM 8 KB');
  });

  test('power-of-two weights charge the multiply as an add', () => {
    const e = estimateEnergy(tinyModel(true), summaries);
    // MAC = add(8) 0.03 + add32 0.1 = 0.13 pJ instead of 0.2.
    expect(e.layers[0].computePj).toBeCloseTo(8 * 0.13 + 24.8, 9);
  });

  test('power and coin-cell life', () => {
    expect(powerWatts(94.4, 10)).toBeCloseTo(9.44e-10, 20);
    // 225 mAh × 3 V = 2,430 J.
    expect(coinCellHours(1)).toBeCloseTo(2430 / 3600, 9);
    expect(coinCellHours(0)).toBe(Infinity);
  });
});

describe('run-length coded activations (Eyeriss JSSC 2017)', () => {
  test('pairs: one per non-zero, one per 32 zeros a run holds beyond 31, trailing zeros', () => {
    expect(runLengthPairs([])).toBe(0);
    expect(runLengthPairs([5, 0, 0, 7])).toBe(2);
    expect(runLengthPairs([0, 0, 0])).toBe(1);
    expect(runLengthPairs(new Int32Array(31).fill(0).map((_, i) => (i === 30 ? 1 : 0)))).toBe(1);
    // 32 zeros then a value: (31, 0) covers 32 positions, then (0, v).
    const x = new Int32Array(33);
    x[32] = 9;
    expect(runLengthPairs(x)).toBe(2);
    expect(runLengthPairs(new Int32Array(64))).toBe(2);
    expect(runLengthPairs(new Int32Array(65))).toBe(3);
    expect(runLengthPairs([1, 2, 3], 0)).toBe(3);
  });

  test('words: Eyeriss packs three 16-bit pairs per 64-bit word; shorter of dense and coded', () => {
    const t = defaultEnergyTable();
    // 16-bit values: floor(63 / 21) = 3 pairs per word, as in Eyeriss.
    expect(activationWords(300, 16, 30, t)).toEqual({ words: 10, denseWords: 75 });
    // 8-bit: floor(63 / 13) = 4 pairs per word; 1,000 values dense are 125 words.
    expect(activationWords(1000, 8, 100, t)).toEqual({ words: 25, denseWords: 125 });
    // Dense data is not made longer by coding it.
    expect(activationWords(1000, 8, 1000, t)).toEqual({ words: 125, denseWords: 125 });
    // Unknown pairs (no counts): dense.
    expect(activationWords(1000, 4, undefined, t)).toEqual({ words: 63, denseWords: 63 });
  });

  test('placement: weights stay on chip up to 1 MB, activations in two buffers for the largest tensor', () => {
    // Two layers whose largest tensor is 24 KB, but input + output of one layer is 48 KB: the
    // ping-pong buffers are each a 32 KB SRAM, not one 1 MB array.
    const model = tinyModel();
    const big = summaries.map((l, i) =>
      i === 0 ? { ...l, inputs: 24 * 1024, outputs: 24 * 1024 } : { ...l, inputs: 24 * 1024 }
    );
    (model.ops[0] as { outBits: number }).outBits = 8;
    const e = estimateEnergy(model, big);
    expect(e.activationsIn).toBe('SRAM 32 KB');
    expect(e.activationWordPj).toBe(20);
    expect(e.weightsStationary).toBe(true);
    // Weights beyond 1 MB stream from DRAM every inference.
    const huge = tinyModel();
    (huge.ops[1] as { weights: WeightStore }).weights = store(2 * 1024 * 1024, 8);
    const h = estimateEnergy(huge, summaries);
    expect(h.weightsIn).toBe('DRAM');
    expect(h.weightsStationary).toBe(false);
  });

  test('run pairs shrink the activation term only: sparse output, fewer words, less energy', () => {
    const dense = estimateEnergy(tinyModel(), summaries);
    const sparse = estimateEnergy(
      tinyModel(),
      summaries.map((l, i) => (i === 0 ? { ...l, inputRunPairs: 8, outputRunPairs: 1 } : l))
    );
    // conv input: 8 values at 8 bits = 1 word either way; output 8 × 4 bits = 1 word dense, and
    // 1 pair coded = 1 word: equal here (too small to gain) …
    expect(sparse.layers[0].activationWords).toBe(dense.layers[0].activationWords);
    // … but a 4,096-value 4-bit output with 100 non-zeros: 256 words dense, 100 / 7 → 15 coded.
    const wide = summaries.map((l, i) =>
      i === 0 ? { ...l, outputs: 4096, outputRunPairs: 100 } : l
    );
    const w = estimateEnergy(tinyModel(), wide);
    expect(w.layers[0].denseActivationWords).toBe(1 + 256);
    expect(w.layers[0].activationWords).toBe(1 + 15);
    expect(w.layers[0].activationMemoryPj).toBeCloseTo(16 * w.activationWordPj, 9);
    expect(w.layers[0].intDensePj - w.layers[0].totalPj).toBeGreaterThan(240 * w.activationWordPj);
  });
});

describe('the bundled demo model: the estimate moves with the input', () => {
  const contents = decodeModel(
    new Uint8Array(readFileSync(join(import.meta.dirname, '../../models/demo-words.qnm')))
  );
  const model = convertToInt(contents);
  const front = new LogMelFrontEnd(contents.spec.features as unknown as LogMelSettings);
  const energyOf = (x: Float32Array) =>
    estimateEnergy(model, layerSummaries(model, runInt(model, front.clip(x)).counters));
  const rng = createRng(5);
  const silence = new Float32Array(16000);
  const noise = Float32Array.from({ length: 16000 }, () => 0.02 * (rng.next() - 0.5));
  // A voiced vowel-like sound: 140 Hz harmonics under a 0.4 s envelope.
  const voiced = Float32Array.from({ length: 16000 }, (_, i) => {
    const t = i / 16000;
    const env = t > 0.3 && t < 0.7 ? Math.sin(((t - 0.3) / 0.4) * Math.PI) : 0;
    let v = 0;
    for (let h = 1; h <= 12; h++) v += Math.sin(2 * Math.PI * 140 * h * t) / h;
    return 0.3 * env * v;
  });

  test('silence, noise and a voiced sound: different totals and different memory traffic', () => {
    const [s, n, v] = [silence, noise, voiced].map(energyOf);
    const totals = [s.totalPj, n.totalPj, v.totalPj];
    const spread = (Math.max(...totals) - Math.min(...totals)) / Math.min(...totals);
    // Before issue 16 memory was 79 % of the total and the same for every input (2767–2771 nJ).
    expect(spread).toBeGreaterThan(0.1);
    const memory = [s.activationMemoryPj, n.activationMemoryPj, v.activationMemoryPj];
    expect(Math.max(...memory) - Math.min(...memory)).toBeGreaterThan(0.1 * Math.min(...memory));
    // Weights are the same every time: they stay on chip and are read once per inference.
    expect(new Set([s.weightMemoryPj, n.weightMemoryPj, v.weightMemoryPj]).size).toBe(1);
    for (const e of [s, n, v]) {
      expect(e.weightsStationary).toBe(true);
      expect(e.activationWords).toBeLessThan(e.denseActivationWords);
      expect(e.memoryPj / e.totalPj).toBeLessThan(0.6);
      expect(e.totalPj).toBeCloseTo(e.computePj + e.weightMemoryPj + e.activationMemoryPj, 6);
    }
  });
});
