/**
 * Evaluation through the integer engine: accuracy, per-class recall and confusion as the tfjs
 * evaluation gives them, plus per-layer counts averaged over the examples (what the sparsity
 * panel reads) and the energy per inference averaged over them (core/energy, as Live's meter
 * estimates each inference).
 */
import { EnergyMean, estimateEnergy, type EnergyEstimate } from '../energy/estimate';
import type { Examples } from '../train/dataset';
import { scoreProbabilities, type Evaluation } from '../train/evaluate';
import type { OpCounters } from './counters';
import { runInt } from './engine';
import type { IntModel } from './int-model';

export interface LayerSummary {
  name: string;
  op: string;
  /** Weight bits for conv/dense, activation bits otherwise. */
  bits: number;
  /** Mean fraction of non-zero output activations. */
  density: number;
  /** Activations in and out per inference. */
  inputs: number;
  outputs: number;
  /** Mean multiply-accumulates: dense count and actually executed. */
  macs: number;
  effectiveMacs: number;
  /** Mean bits per inference: weights read, activations read and written. */
  weightBits: number;
  activationBitsRead: number;
  activationBitsWritten: number;
  /**
   * Mean (zero run, value) pairs of the input and output when run-length coded (counters.ts);
   * absent: not counted (the energy model then moves the tensor dense).
   */
  inputRunPairs?: number;
  outputRunPairs?: number;
  /** k-WTA only: how often each channel won, as a fraction of locations, [C]. */
  dutyCycles?: number[];
  /** conv / hidden dense: output channels that were zero on every example (never active). */
  neverActive?: number[];
}

/** What each op of `model` did on one inference, from the engine's counters. */
export function layerSummaries(model: IntModel, counters: OpCounters[]): LayerSummary[] {
  let actBits = model.input.bits;
  return counters.map((c, j) => {
    const op = model.ops[j];
    // Pooling and k-WTA pass their input's width through.
    if ('outBits' in op && op.outBits !== undefined) actBits = op.outBits;
    return {
      name: c.name,
      op: c.op,
      bits: 'weights' in op ? op.weights.bits : actBits,
      density: c.outputs ? c.outputNonZero / c.outputs : 0,
      inputs: c.inputs,
      outputs: c.outputs,
      macs: c.denseMacs,
      effectiveMacs: c.executedMacs,
      weightBits: c.weightBits,
      activationBitsRead: c.activationBitsRead,
      activationBitsWritten: c.activationBitsWritten,
      ...(c.inputRunPairs !== undefined ? { inputRunPairs: c.inputRunPairs } : {}),
      ...(c.outputRunPairs !== undefined ? { outputRunPairs: c.outputRunPairs } : {})
    };
  });
}

const AVERAGED = [
  'density',
  'macs',
  'effectiveMacs',
  'weightBits',
  'activationBitsRead',
  'activationBitsWritten'
] as const;
const AVERAGED_OPTIONAL = ['inputRunPairs', 'outputRunPairs'] as const;

/**
 * Runs every example of `d` through `model`. `energy`: the mean of each example's own energy
 * estimate (undefined when `d` holds no example).
 */
export function evaluateInt(
  model: IntModel,
  d: Examples
): {
  evaluation: Evaluation;
  layers: LayerSummary[];
  probabilities: Float32Array;
  energy: EnergyEstimate | undefined;
} {
  const k = model.classes;
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  const probabilities = new Float32Array(d.count * k);
  let layers: LayerSummary[] = [];
  const wins: Record<string, Float64Array> = {};
  const energy = new EnergyMean();
  const active: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < d.count; i++) {
    const r = runInt(model, d.x.subarray(i * per, (i + 1) * per));
    probabilities.set(r.probabilities, i * k);
    const one = layerSummaries(model, r.counters);
    energy.add(estimateEnergy(model, one));
    if (i === 0) layers = one;
    else {
      layers.forEach((l, j) => {
        for (const key of AVERAGED) l[key] += one[j][key];
        for (const key of AVERAGED_OPTIONAL) if (l[key] !== undefined) l[key] += one[j][key] ?? 0;
      });
    }
    r.counters.forEach((c, j) => {
      if (!c.activeChannels) return;
      const a = (active[j] ??= new Uint8Array(c.activeChannels.length));
      c.activeChannels.forEach((v, ch) => (a[ch] |= v));
    });
    for (const [name, w] of Object.entries(r.wins)) {
      const acc = (wins[name] ??= new Float64Array(w.length));
      w.forEach((v, c) => (acc[c] += v));
    }
  }
  layers.forEach((l, j) => {
    for (const key of AVERAGED) l[key] /= d.count;
    for (const key of AVERAGED_OPTIONAL) if (l[key] !== undefined) l[key] /= d.count;
    const a = active[j];
    if (a) l.neverActive = Array.from(a.keys()).filter((ch) => a[ch] === 0);
    const op = model.ops[j];
    if (op.op === 'kwta' && wins[l.name]) {
      const locations = op.shape[0] * op.shape[1] * d.count;
      l.dutyCycles = Array.from(wins[l.name], (v) => v / locations);
    }
  });
  return {
    evaluation: scoreProbabilities(probabilities, d.y, k),
    layers,
    probabilities,
    energy: energy.count ? energy.mean : undefined
  };
}
