/**
 * Energy per inference on the simulated accelerator, composed as Accelergy/Timeloop do:
 * actions × energy per action (ENERGY.md), from what the integer engine counted per layer.
 *
 * - compute: executed MACs × (multiply at weight×activation width, or an add when weights are
 *   powers of two, + a 32-bit accumulate), one 32-bit requantization multiply per output, and
 *   comparisons for pooling and k-WTA (adds at the activation width);
 * - zero activations are either skipped (no energy) or gated (a fraction of a MAC); both shown;
 * - moving weights: a model whose weights fit on chip (energy-table.ts `onChipBytes`) keeps them
 *   there between inferences (loaded once, with the model) in the smallest SRAM that holds them
 *   all, and each inference reads every weight once into the processing elements, which reuse it
 *   for all its MACs (weight-stationary reuse, as in Eyeriss); larger models stream their
 *   weights from DRAM every inference;
 * - moving activations: each layer reads its input and writes its output through two on-chip
 *   buffers that swap roles layer by layer (ping-pong), each the smallest SRAM that holds the
 *   largest activation tensor at full density (the hardware must take any input); what moves is
 *   run-length coded as Eyeriss codes zeros (energy-table.ts `activationWords`), so sparser
 *   activations move fewer words;
 * - reference: the same network as dense 32-bit float (fp32 MACs, batch norm per output, 32-bit
 *   weights and activations moved dense, placed by the same rules).
 */
import type { LayerSummary } from '../engine/evaluate-int';
import type { IntModel } from '../engine/int-model';
import {
  activationWords,
  addPj,
  defaultEnergyTable,
  memoryWordPj,
  mulPj,
  type EnergyTable
} from './energy-table';

export interface LayerEnergy {
  name: string;
  op: string;
  computePj: number;
  /** Reading this layer's weights into the processing elements. */
  weightMemoryPj: number;
  /** Reading its input and writing its output activations, run-length coded. */
  activationMemoryPj: number;
  /** weightMemoryPj + activationMemoryPj. */
  memoryPj: number;
  /** computePj + memoryPj with zero activations skipped. */
  totalPj: number;
  /** The same layer with zero activations gated instead of skipped. */
  gatedPj: number;
  /** The same layer as integers with every MAC executed and activations moved dense. */
  intDensePj: number;
  /** The same layer dense in float32. */
  floatDensePj: number;
  /** 64-bit words of activations moved (read + written), as coded and dense. */
  activationWords: number;
  denseActivationWords: number;
  /** One executed MAC here (multiply + 32-bit accumulate), 0 for layers without MACs. */
  macPj: number;
}

export interface EnergyEstimate {
  layers: LayerEnergy[];
  /** Zero activations skipped (a sparse design). */
  totalPj: number;
  /** Zero activations gated. */
  gatedPj: number;
  /** Integer, no zero handling at all: every MAC executed, activations dense. */
  intDensePj: number;
  /** The same network as dense float32. */
  floatDensePj: number;
  computePj: number;
  /** weightMemoryPj + activationMemoryPj. */
  memoryPj: number;
  weightMemoryPj: number;
  activationMemoryPj: number;
  activationWords: number;
  denseActivationWords: number;
  /** The weights stay on chip between inferences (else they come from DRAM every time). */
  weightsStationary: boolean;
  /** Where weights and activations live, e.g. 'SRAM 32 KB', and one 64-bit access there. */
  weightsIn: string;
  activationsIn: string;
  weightWordPj: number;
  activationWordPj: number;
  floatWeightsIn: string;
}

function words(bits: number): number {
  return Math.ceil(bits / 64);
}

/** Energy per inference from an integer model and its per-layer counts (averaged over inputs). */
export function estimateEnergy(
  model: IntModel,
  layers: LayerSummary[],
  table: EnergyTable = defaultEnergyTable()
): EnergyEstimate {
  if (layers.length !== model.ops.length)
    throw new RangeError('one layer summary per op is needed');
  // Placement: all weights in one array; two activation buffers, each for the largest tensor.
  let weightBits = 0;
  let floatWeights = 0;
  let largestTensorBytes = 0;
  let largestFloatTensorBytes = 0;
  let bits = model.input.bits;
  const inBitsOf: number[] = [];
  const outBitsOf: number[] = [];
  model.ops.forEach((op, i) => {
    inBitsOf.push(bits);
    if ('weights' in op) {
      weightBits += op.weights.values.length * op.weights.bits;
      floatWeights += op.weights.values.length;
    }
    const l = layers[i];
    const last = i === model.ops.length - 1;
    const outBits = last ? 32 : 'outBits' in op && op.outBits !== undefined ? op.outBits : bits;
    outBitsOf.push(outBits);
    largestTensorBytes = Math.max(
      largestTensorBytes,
      (l.inputs * bits) / 8,
      (l.outputs * outBits) / 8
    );
    largestFloatTensorBytes = Math.max(largestFloatTensorBytes, Math.max(l.inputs, l.outputs) * 4);
    bits = outBits;
  });
  const wMem = memoryWordPj(weightBits / 8, table);
  const aMem = memoryWordPj(largestTensorBytes, table);
  const fwMem = memoryWordPj(floatWeights * 4, table);
  const faMem = memoryWordPj(largestFloatTensorBytes, table);
  const out: LayerEnergy[] = model.ops.map((op, i) => {
    const l = layers[i];
    const ab = inBitsOf[i];
    let mac = 0;
    let perOutput = 0;
    let floatPerOutput = 0;
    let other = 0;
    let floatOther = 0;
    if (op.op === 'conv' || op.op === 'dense') {
      const mul = op.weights.powerOfTwo ? addPj(ab, table) : mulPj(op.weights.bits, ab, table);
      mac = mul + addPj(32, table);
      perOutput = table.intMul32; // requantization
      floatPerOutput = table.fp32Mul + table.fp32Add; // batch norm
    } else if (op.op === 'maxpool') {
      const window = op.size * op.size;
      other = l.outputs * (window - 1) * addPj(ab, table);
      floatOther = l.outputs * (window - 1) * table.fp32Add;
    } else if (op.op === 'kwta') {
      const c = op.shape[2];
      const compare = Math.ceil(Math.log2(Math.max(2, c)));
      other = l.inputs * compare * addPj(ab, table);
      floatOther = l.inputs * compare * table.fp32Add;
    } else {
      other = l.inputs * addPj(32, table) + l.outputs * table.intMul32;
      floatOther = l.inputs * table.fp32Add + l.outputs * table.fp32Mul;
    }
    const requant = l.outputs * perOutput;
    const skipped = l.effectiveMacs * mac + requant + other;
    const gated =
      l.effectiveMacs * mac +
      (l.macs - l.effectiveMacs) * mac * table.gatedMacFraction +
      requant +
      other;
    const read = activationWords(l.inputs, ab, l.inputRunPairs, table);
    const written = activationWords(l.outputs, outBitsOf[i], l.outputRunPairs, table);
    const weightMemory = words(l.weightBits) * wMem.pj;
    const activationMemory = (read.words + written.words) * aMem.pj;
    const denseActivationMemory = (read.denseWords + written.denseWords) * aMem.pj;
    const floatMemory =
      words(('weights' in op ? op.weights.values.length : 0) * 32) * fwMem.pj +
      (words(l.inputs * 32) + words(l.outputs * 32)) * faMem.pj;
    const floatCompute =
      l.macs * (table.fp32Mul + table.fp32Add) + l.outputs * floatPerOutput + floatOther;
    const memory = weightMemory + activationMemory;
    return {
      name: l.name,
      op: l.op,
      computePj: skipped,
      weightMemoryPj: weightMemory,
      activationMemoryPj: activationMemory,
      memoryPj: memory,
      totalPj: skipped + memory,
      gatedPj: gated + memory,
      floatDensePj: floatCompute + floatMemory,
      intDensePj: l.macs * mac + requant + other + weightMemory + denseActivationMemory,
      activationWords: read.words + written.words,
      denseActivationWords: read.denseWords + written.denseWords,
      macPj: mac
    };
  });
  const sum = (f: (l: LayerEnergy) => number) => out.reduce((a, l) => a + f(l), 0);
  return {
    layers: out,
    totalPj: sum((l) => l.totalPj),
    gatedPj: sum((l) => l.gatedPj),
    intDensePj: sum((l) => l.intDensePj),
    floatDensePj: sum((l) => l.floatDensePj),
    computePj: sum((l) => l.computePj),
    memoryPj: sum((l) => l.memoryPj),
    weightMemoryPj: sum((l) => l.weightMemoryPj),
    activationMemoryPj: sum((l) => l.activationMemoryPj),
    activationWords: sum((l) => l.activationWords),
    denseActivationWords: sum((l) => l.denseActivationWords),
    weightsStationary: weightBits / 8 <= table.onChipBytes,
    weightsIn: wMem.where,
    activationsIn: aMem.where,
    weightWordPj: wMem.pj,
    activationWordPj: aMem.pj,
    floatWeightsIn: fwMem.where
  };
}

/**
 * Energy per inference averaged over many inputs: the mean of each input's own estimate, what
 * Live's meter would show on them one after another. (The estimate of averaged counts is not the
 * same: the run-length coder caps each input's tensor at its dense size, so averaging the counts
 * of sparse and dense inputs first overstates what moves.) Placement and per-action costs are the
 * model's own and the same for every input; every other figure, per layer too, is averaged.
 */
export class EnergyMean {
  private total: EnergyEstimate | undefined;
  private n = 0;

  add(e: EnergyEstimate): void {
    this.n++;
    if (!this.total) {
      this.total = { ...e, layers: e.layers.map((l) => ({ ...l })) };
      return;
    }
    addNumbers(this.total, e);
    this.total.layers.forEach((l, i) => addNumbers(l, e.layers[i]));
  }

  /** Inputs added so far. */
  get count(): number {
    return this.n;
  }

  /** The mean estimate; RangeError before any input was added. */
  get mean(): EnergyEstimate {
    if (!this.total) throw new RangeError('no inference to average energy over');
    const n = this.n;
    const mean = { ...this.total, layers: this.total.layers.map((l) => ({ ...l })) };
    scaleNumbers(mean, 1 / n);
    mean.layers.forEach((l) => scaleNumbers(l, 1 / n));
    return mean;
  }
}

/** Fields that are costs of one action or placement, the same for every input. */
const PER_ACTION = new Set(['weightWordPj', 'activationWordPj', 'macPj']);

function addNumbers<T extends object>(into: T, from: T): void {
  const a = into as Record<string, unknown>;
  const b = from as Record<string, unknown>;
  for (const k of Object.keys(a))
    if (typeof a[k] === 'number' && !PER_ACTION.has(k)) a[k] = (a[k] as number) + (b[k] as number);
}

function scaleNumbers<T extends object>(x: T, by: number): void {
  const a = x as Record<string, unknown>;
  for (const k of Object.keys(a))
    if (typeof a[k] === 'number' && !PER_ACTION.has(k)) a[k] = (a[k] as number) * by;
}

/** Power in watts at `perSecond` inferences per second. */
export function powerWatts(energyPj: number, perSecond: number): number {
  return energyPj * 1e-12 * perSecond;
}

/** Hours a CR2032 coin cell (≈ 225 mAh at 3 V = 2,430 J) lasts at that power. */
export function coinCellHours(watts: number, table: EnergyTable = defaultEnergyTable()): number {
  const joules = (table.coinCellMilliampHours / 1000) * 3600 * table.coinCellVolts;
  return watts > 0 ? joules / watts / 3600 : Infinity;
}
