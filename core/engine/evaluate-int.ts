/**
 * Evaluation through the integer engine: accuracy, per-class recall and confusion as the tfjs
 * evaluation gives them, plus per-layer counts averaged over the examples (what the sparsity
 * panel and the energy model read).
 */
import type { Examples } from '../train/dataset';
import type { Evaluation } from '../train/evaluate';
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
  /** k-WTA only: how often each channel won, as a fraction of locations, [C]. */
  dutyCycles?: number[];
  /** conv / hidden dense: output channels that were zero on every example (never active). */
  neverActive?: number[];
}

export function evaluateInt(
  model: IntModel,
  d: Examples
): { evaluation: Evaluation; layers: LayerSummary[]; probabilities: Float32Array } {
  const k = model.classes;
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  const probabilities = new Float32Array(d.count * k);
  const confusion = Array.from({ length: k }, () => new Array<number>(k).fill(0));
  const predictions = new Int32Array(d.count);
  let correct = 0;
  let loss = 0;
  let layers: LayerSummary[] = [];
  const wins: Record<string, Float64Array> = {};
  const active: (Uint8Array | undefined)[] = [];
  for (let i = 0; i < d.count; i++) {
    const r = runInt(model, d.x.subarray(i * per, (i + 1) * per));
    probabilities.set(r.probabilities, i * k);
    const best = r.probabilities.indexOf(Math.max(...r.probabilities));
    predictions[i] = best;
    confusion[d.y[i]][best]++;
    if (best === d.y[i]) correct++;
    loss -= Math.log(Math.max(r.probabilities[d.y[i]], 1e-12));
    if (i === 0) {
      let actBits = model.input.bits;
      layers = r.counters.map((c, j) => {
        const op = model.ops[j];
        // Pooling and k-WTA pass their input's width through.
        if ('outBits' in op && op.outBits !== undefined) actBits = op.outBits;
        const bits = 'weights' in op ? op.weights.bits : actBits;
        return {
          name: c.name,
          op: c.op,
          bits: bits ?? 0,
          density: 0,
          inputs: c.inputs,
          outputs: c.outputs,
          macs: 0,
          effectiveMacs: 0,
          weightBits: 0,
          activationBitsRead: 0,
          activationBitsWritten: 0
        };
      });
    }
    r.counters.forEach((c, j) => {
      const l = layers[j];
      if (c.activeChannels) {
        const a = (active[j] ??= new Uint8Array(c.activeChannels.length));
        c.activeChannels.forEach((v, ch) => (a[ch] |= v));
      }
      l.density += c.outputs ? c.outputNonZero / c.outputs : 0;
      l.macs += c.denseMacs;
      l.effectiveMacs += c.executedMacs;
      l.weightBits += c.weightBits;
      l.activationBitsRead += c.activationBitsRead;
      l.activationBitsWritten += c.activationBitsWritten;
    });
    for (const [name, w] of Object.entries(r.wins)) {
      const acc = (wins[name] ??= new Float64Array(w.length));
      w.forEach((v, c) => (acc[c] += v));
    }
  }
  layers.forEach((l, j) => {
    const a = active[j];
    if (a) l.neverActive = Array.from(a.keys()).filter((ch) => a[ch] === 0);
  });
  for (const l of layers) {
    for (const key of [
      'density',
      'macs',
      'effectiveMacs',
      'weightBits',
      'activationBitsRead',
      'activationBitsWritten'
    ] as const) {
      l[key] /= d.count;
    }
    const op = model.ops.find((o) => o.name === l.name);
    if (op?.op === 'kwta' && wins[l.name]) {
      const locations = op.shape[0] * op.shape[1] * d.count;
      l.dutyCycles = Array.from(wins[l.name], (v) => v / locations);
    }
  }
  const perClass = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[c] / total;
  });
  return {
    evaluation: {
      accuracy: correct / d.count,
      loss: loss / d.count,
      perClass,
      confusion,
      predictions
    },
    layers,
    probabilities
  };
}
