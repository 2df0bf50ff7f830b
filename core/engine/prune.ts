/**
 * Removing dead filters from an integer model (PAPERS.md §2). A filter is removed only when it is
 * provably dead: even the largest accumulator its weights can produce from any input in range
 * requantizes to 0 (typically batch norm drove |γ| to ~0 with a negative offset). Such a channel
 * is zero for every input, never wins k-WTA, and contributes nothing downstream, so the pruned
 * model gives identical outputs on any input. The following layer loses the matching inputs;
 * k-WTA keeps its k.
 */
import type { IntConv, IntDense, IntModel, IntOp, Requant, WeightStore } from './int-model';
import { requantize } from './kernels/requantize';

/** Output channels of a conv / hidden dense op that are zero for every input. */
export function provablyDeadChannels(op: IntConv | IntDense, inLo: number, inHi: number): number[] {
  if (!op.requant) return [];
  const outC = op.op === 'conv' ? op.outShape[2] : op.outSize;
  const w = op.weights.values;
  const hi = new Float64Array(outC);
  const lo = new Float64Array(outC);
  for (let i = 0; i < w.length; i++) {
    const c = i % outC;
    const a = w[i] * inHi;
    const b = w[i] * inLo;
    hi[c] += Math.max(a, b);
    lo[c] += Math.min(a, b);
  }
  const dead: number[] = [];
  for (let c = 0; c < outC; c++) {
    // Requantization is monotonic in acc, increasing or decreasing with the sign of m.
    const top = Math.max(requantize(hi[c], op.requant, c), requantize(lo[c], op.requant, c));
    if (top === 0) dead.push(c);
  }
  return dead;
}

function keepIndices(n: number, drop: Set<number>): number[] {
  return Array.from({ length: n }, (_, i) => i).filter((i) => !drop.has(i));
}

/** Weights [..., inC, outC] (or [in, out]) keeping the listed input and output channels. */
function sliceWeights(
  ws: WeightStore,
  rows: number,
  inC: number,
  outC: number,
  keepIn: number[],
  keepOut: number[]
): WeightStore {
  const n = rows * keepIn.length * keepOut.length;
  const values = new Int32Array(n);
  const indices = ws.indices instanceof Uint16Array ? new Uint16Array(n) : new Uint8Array(n);
  let k = 0;
  for (let r = 0; r < rows; r++)
    for (const i of keepIn)
      for (const o of keepOut) {
        values[k] = ws.values[(r * inC + i) * outC + o];
        indices[k++] = ws.indices[(r * inC + i) * outC + o];
      }
  return { ...ws, values, indices, scale: Float64Array.from(keepOut, (o) => ws.scale[o]) };
}

function sliceRequant(r: Requant, keep: number[]): Requant {
  return {
    m: Int32Array.from(keep, (c) => r.m[c]),
    shift: Int32Array.from(keep, (c) => r.shift[c]),
    bias: Float64Array.from(keep, (c) => r.bias[c]),
    maxCode: r.maxCode
  };
}

export interface PruneReport {
  model: IntModel;
  /** Removed channels per op name. */
  removed: Record<string, number[]>;
}

/** Returns a new model without the provably dead filters (the input model is not changed). */
export function pruneDeadFilters(model: IntModel): PruneReport {
  const ops: IntOp[] = [];
  const removed: Record<string, number[]> = {};
  let drop = new Set<number>(); // channels of the current activation that were removed
  let inLo = -model.input.zeroPoint;
  let inHi = 2 ** model.input.bits - 1 - model.input.zeroPoint;
  for (const op of model.ops) {
    switch (op.op) {
      case 'conv': {
        const [kh, kw] = op.kernel;
        const inC = op.inShape[2];
        const outC = op.outShape[2];
        const dead = new Set(provablyDeadChannels(op, inLo, inHi));
        const keepIn = keepIndices(inC, drop);
        const keepOut = keepIndices(outC, dead);
        if (dead.size) removed[op.name] = [...dead];
        ops.push({
          ...op,
          inShape: [op.inShape[0], op.inShape[1], keepIn.length],
          outShape: [op.outShape[0], op.outShape[1], keepOut.length],
          weights: sliceWeights(op.weights, kh * kw, inC, outC, keepIn, keepOut),
          requant: sliceRequant(op.requant, keepOut)
        });
        drop = dead;
        inLo = 0;
        inHi = 2 ** op.outBits - 1;
        break;
      }
      case 'dense': {
        // After a flatten the inputs are [positions × channels]; drop each removed channel everywhere.
        const channels = ops.length ? lastChannels(ops) + drop.size : model.input.shape[2];
        const keepIn: number[] = [];
        for (let i = 0; i < op.inSize; i++) if (!drop.has(i % channels)) keepIn.push(i);
        const dead = new Set(provablyDeadChannels(op, inLo, inHi));
        const keepOut = keepIndices(op.outSize, dead);
        if (dead.size) removed[op.name] = [...dead];
        const next: IntDense = {
          ...op,
          inSize: keepIn.length,
          outSize: keepOut.length,
          weights: sliceWeights(op.weights, 1, op.inSize, op.outSize, keepIn, keepOut)
        };
        if (op.requant) next.requant = sliceRequant(op.requant, keepOut);
        ops.push(next);
        drop = dead;
        if (op.outBits) inHi = 2 ** op.outBits - 1;
        inLo = 0;
        break;
      }
      case 'kwta': {
        const c = op.shape[2] - drop.size;
        const keep = keepIndices(op.shape[2], drop);
        ops.push({
          ...op,
          shape: [op.shape[0], op.shape[1], c],
          k: Math.min(op.k, c),
          boost: op.boost ? Float64Array.from(keep, (i) => op.boost![i]) : undefined
        });
        break;
      }
      default: {
        const c = op.inShape[2] - drop.size;
        ops.push({
          ...op,
          inShape: [op.inShape[0], op.inShape[1], c],
          outShape: [op.outShape[0], op.outShape[1], c]
        });
        if (op.op !== 'maxpool') {
          inLo = 0;
          inHi = 2 ** op.outBits - 1;
        }
      }
    }
  }
  return { model: { ...model, ops }, removed };
}

/** Channels of the activation after the last op built so far. */
function lastChannels(ops: IntOp[]): number {
  const op = ops[ops.length - 1];
  if (!op) return 0;
  if (op.op === 'dense') return op.outSize;
  if (op.op === 'kwta') return op.shape[2];
  return op.outShape[2];
}
