/**
 * Per-layer sparsity of an integer model measured on data (PAPERS.md §1–2): activation density,
 * k-WTA duty cycles, weight sparsity (zero weights), and dead filters by both definitions —
 * never active on the data, and batch-norm scale |γ| < 1e-3 — plus those provably dead for any
 * input (what pruning removes).
 */
import type { LayerSummary } from '../engine/evaluate-int';
import type { IntModel } from '../engine/int-model';
import { provablyDeadChannels } from '../engine/prune';
import type { ModelContents } from '../model-file/model-file';
import { resolveSpec } from '../spec/resolve';

export const DEAD_GAMMA = 1e-3;

export interface LayerSparsity {
  name: string;
  op: string;
  bits: number;
  density: number;
  dutyCycles?: number[];
  /** conv / dense: fraction of weights that are exactly zero. */
  weightZeroFraction?: number;
  /** conv / hidden dense: filters never active on the data. */
  deadNeverActive?: number[];
  /** conv / dense followed by batch norm: filters with |γ| < 1e-3 (needs the float weights). */
  deadSmallGamma?: number[];
  /** Filters whose output is 0 for every possible input. */
  provablyDead?: number[];
}

export function sparsityReport(
  model: IntModel,
  layers: LayerSummary[],
  contents?: ModelContents
): LayerSparsity[] {
  const gammaDead = new Map<string, number[]>();
  if (contents && contents.tensors.length) {
    const resolved = resolveSpec(contents.spec, contents.labels.length).layers;
    resolved.forEach((l, i) => {
      const next = resolved[i + 1];
      if ((l.spec.type === 'conv' || l.spec.type === 'dense') && next?.spec.type === 'batchnorm') {
        const gamma = contents.tensors.find((t) => t.name === `${next.name}/gamma`);
        if (gamma) {
          gammaDead.set(
            l.name,
            Array.from(gamma.data.keys()).filter((c) => Math.abs(gamma.data[c]) < DEAD_GAMMA)
          );
        }
      }
    });
  }
  let inLo = -model.input.zeroPoint;
  let inHi = 2 ** model.input.bits - 1 - model.input.zeroPoint;
  return model.ops.map((op, i) => {
    const l = layers[i];
    const out: LayerSparsity = { name: op.name, op: op.op, bits: l.bits, density: l.density };
    if (l.dutyCycles) out.dutyCycles = l.dutyCycles;
    if (op.op === 'conv' || op.op === 'dense') {
      let zeros = 0;
      for (const v of op.weights.values) if (v === 0) zeros++;
      out.weightZeroFraction = zeros / op.weights.values.length;
      if (l.neverActive) out.deadNeverActive = l.neverActive;
      if (gammaDead.has(op.name)) out.deadSmallGamma = gammaDead.get(op.name);
      if (op.requant) out.provablyDead = provablyDeadChannels(op, inLo, inHi);
    }
    if ('outBits' in op && op.outBits !== undefined) {
      inLo = 0;
      inHi = 2 ** op.outBits - 1;
    }
    return out;
  });
}
