/**
 * What the sparsity panel and the energy meter show for one live inference: per layer, a name a
 * person can read ("conv 2 (32 filters)"), its non-zero share, k-WTA winners, filters silent
 * since the stream began, MACs done vs dense and its energy; for the whole network, the energy
 * split into computing, moving weights and moving activations (core/energy).
 */
import { estimateEnergy } from '../energy/estimate';
import type { EngineResult } from '../engine/engine';
import { layerSummaries } from '../engine/evaluate-int';
import type { IntModel } from '../engine/int-model';

export interface LayerView {
  /** The op's name in the model file (conv0, kwta4 …). */
  id: string;
  /** What a person reads: "conv 2 (32 filters)", "k-WTA (keeps 8 of 16)". */
  title: string;
  op: string;
  /** Weight bits for conv/dense, activation bits otherwise. */
  bits: number;
  /** Fraction of this layer's outputs that are non-zero on this input. */
  density: number;
  /** k-WTA: mean winners per location on this input, of `channels`. */
  winners?: number;
  channels?: number;
  /** conv / hidden dense: filters that have been zero on every input since the stream began. */
  deadFilters?: number;
  filters?: number;
  macs: number;
  executedMacs: number;
  energyPj: number;
}

export interface LiveEnergy {
  totalPj: number;
  floatDensePj: number;
  computePj: number;
  weightMemoryPj: number;
  activationMemoryPj: number;
  /** 64-bit words of activations moved (run-length coded) and what dense would move. */
  activationWords: number;
  denseActivationWords: number;
  weightsStationary: boolean;
  weightsIn: string;
  activationsIn: string;
  /** One 64-bit access where the activations live, pJ (for the "why"). */
  activationWordPj: number;
  /** Energy of one executed MAC in the busiest layer, pJ (the same comparison). */
  macPj: number;
}

/** Readable names, numbered per kind: conv 1, conv 2 …; the last dense layer is the classifier. */
export function layerTitles(model: IntModel): string[] {
  const seen: Record<string, number> = {};
  const nth = (kind: string) => (seen[kind] = (seen[kind] ?? 0) + 1);
  return model.ops.map((op, i) => {
    switch (op.op) {
      case 'conv':
        return `conv ${nth('conv')} (${op.outShape[2]} filters)`;
      case 'dense':
        return i === model.ops.length - 1
          ? `classifier (${op.outSize} classes)`
          : `dense ${nth('dense')} (${op.outSize} units)`;
      case 'maxpool':
        return `max pool ${op.size}×${op.size}`;
      case 'avgpool':
        return `average pool ${op.size}×${op.size}`;
      case 'gap':
        return 'global average pool';
      case 'kwta':
        return `k-WTA (keeps ${op.k} of ${op.shape[2]})`;
    }
  });
}

export class LayerReport {
  private readonly titles: string[];
  /** Per conv/dense op: channels active at least once since the stream began. */
  private everActive: (Uint8Array | undefined)[] = [];

  constructor(private readonly model: IntModel) {
    this.titles = layerTitles(model);
  }

  /** A new stream: dead filters are counted from here. */
  reset(): void {
    this.everActive = [];
  }

  report(result: EngineResult): { layers: LayerView[]; energy: LiveEnergy } {
    const { model } = this;
    const summaries = layerSummaries(model, result.counters);
    const e = estimateEnergy(model, summaries);
    let macPj = 0;
    let busiest = 0;
    const layers = summaries.map((l, i): LayerView => {
      const op = model.ops[i];
      const c = result.counters[i];
      const view: LayerView = {
        id: l.name,
        title: this.titles[i],
        op: l.op,
        bits: l.bits,
        density: l.density,
        macs: l.macs,
        executedMacs: l.effectiveMacs,
        energyPj: e.layers[i].totalPj
      };
      if (l.effectiveMacs > busiest) {
        busiest = l.effectiveMacs;
        macPj = e.layers[i].macPj;
      }
      if (op.op === 'kwta') {
        view.winners = c.outputNonZero / (op.shape[0] * op.shape[1]);
        view.channels = op.shape[2];
      }
      if (c.activeChannels && i < model.ops.length - 1) {
        const seen = (this.everActive[i] ??= new Uint8Array(c.activeChannels.length));
        c.activeChannels.forEach((v, ch) => (seen[ch] |= v));
        view.deadFilters = seen.reduce((n, v) => n + (v ? 0 : 1), 0);
        view.filters = seen.length;
      }
      return view;
    });
    return {
      layers,
      energy: {
        totalPj: e.totalPj,
        floatDensePj: e.floatDensePj,
        computePj: e.computePj,
        weightMemoryPj: e.weightMemoryPj,
        activationMemoryPj: e.activationMemoryPj,
        activationWords: e.activationWords,
        denseActivationWords: e.denseActivationWords,
        weightsStationary: e.weightsStationary,
        weightsIn: e.weightsIn,
        activationsIn: e.activationsIn,
        activationWordPj: e.activationWordPj,
        macPj
      }
    };
  }
}
