/**
 * The energy model: the table holds the cited values, the width scaling follows ENERGY.md, and a
 * two-layer network's estimate matches a hand computation term by term.
 */
import { describe, expect, test } from 'vitest';
import type { LayerSummary } from '../engine/evaluate-int';
import type { IntModel, WeightStore } from '../engine/int-model';
import { addPj, defaultEnergyTable, ENERGY_TABLE, memoryWordPj, mulPj } from './energy-table';
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
