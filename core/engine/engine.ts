/**
 * Runs an IntModel on one input: quantize the features, run each op's kernel, return float logits,
 * class probabilities and what every op did (counters). Integers only between input and logits.
 */
import { emptyCounters, runLengthPairs, type OpCounters } from './counters';
import type { IntModel } from './int-model';
import { getKernel, registerEngineKernels } from './kernels/registry';

export interface EngineResult {
  logits: Float32Array;
  probabilities: Float32Array;
  counters: OpCounters[];
  /** Winners per channel of each k-WTA op on this input, by op name. */
  wins: Record<string, Float32Array>;
  /** The activation codes that entered the classifier (the last op). */
  classifierInput: Int32Array;
}

function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  return d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
}

/** Input codes minus the zero point: a real 0 becomes the integer 0 that zero-skipping sees. */
export function quantizeInput(model: IntModel, x: ArrayLike<number>): Int32Array {
  const { zeroPoint, bits } = model.input;
  const scale = Math.fround(model.input.scale);
  const max = 2 ** bits - 1;
  const q = new Int32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    // float32 division and round-half-to-even, as tfjs (training) and ONNX QuantizeLinear do.
    const code = roundHalfEven(Math.fround(Math.fround(x[i]) / scale)) + zeroPoint;
    q[i] = (code < 0 ? 0 : code > max ? max : code) - zeroPoint;
  }
  return q;
}

export function softmax(logits: Float32Array): Float32Array {
  let max = -Infinity;
  for (const v of logits) max = Math.max(max, v);
  const e = Float32Array.from(logits, (v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

/** Runs the model on one example's features ([H, W, C] flattened, float). */
export function runInt(model: IntModel, features: ArrayLike<number>): EngineResult {
  registerEngineKernels();
  const [h, w, c] = model.input.shape;
  if (features.length !== h * w * c) {
    throw new RangeError(
      `the engine expects ${h}×${w}×${c} = ${h * w * c} values, got ${features.length}`
    );
  }
  let x: Int32Array | Float32Array = quantizeInput(model, features);
  let bits = model.input.bits;
  const counters: OpCounters[] = [];
  const wins: Record<string, Float32Array> = {};
  let classifierInput: Int32Array = new Int32Array(0);
  // Run-length pairs of each activation tensor, for the energy model's memory traffic.
  let pairs = runLengthPairs(x);
  for (const op of model.ops) {
    if (x instanceof Float32Array) throw new Error(`${op.name}: follows the classifier`);
    classifierInput = x;
    const cnt = emptyCounters(op.name, op.op);
    const opWins = op.op === 'kwta' ? (wins[op.name] = new Float32Array(op.shape[2])) : undefined;
    x = getKernel(op.op).run(op, x, cnt, bits, opWins);
    cnt.inputRunPairs = pairs;
    if (x instanceof Int32Array) cnt.outputRunPairs = pairs = runLengthPairs(x);
    counters.push(cnt);
    if ('outBits' in op && op.outBits !== undefined) bits = op.outBits;
  }
  if (!(x instanceof Float32Array) || x.length !== model.classes) {
    throw new Error('the model does not end in a classifier with one logit per class');
  }
  return { logits: x, probabilities: softmax(x), counters, wins, classifierInput };
}
