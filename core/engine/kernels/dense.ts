/**
 * Integer fully connected layer over the flattened input (HWC order, as tfjs reshapes NHWC).
 * Skips zero inputs like the convolution. A hidden layer requantizes; the classifier returns
 * float logits = acc·logitScale[c] + logitBias[c].
 */
import type { IntDense } from '../int-model';
import { activeChannels, countNonZero, type OpCounters } from '../counters';
import { requantize } from './requantize';

export function denseImpl(
  op: IntDense,
  x: Int32Array,
  counters: OpCounters,
  inBits: number
): Int32Array | Float32Array {
  const { inSize, outSize } = op;
  const w = op.weights.values;
  const acc = new Int32Array(outSize);
  let executed = 0;
  for (let i = 0; i < inSize; i++) {
    const a = x[i];
    if (a === 0) continue;
    const base = i * outSize;
    for (let o = 0; o < outSize; o++) acc[o] += a * w[base + o];
    executed += outSize;
  }
  let y: Int32Array | Float32Array;
  if (op.requant) {
    const q = new Int32Array(outSize);
    for (let o = 0; o < outSize; o++) q[o] = requantize(acc[o], op.requant, o);
    y = q;
  } else {
    const logits = new Float32Array(outSize);
    for (let o = 0; o < outSize; o++) logits[o] = acc[o] * op.logitScale![o] + op.logitBias![o];
    y = logits;
  }
  counters.denseMacs = inSize * outSize;
  counters.executedMacs = executed;
  counters.inputs = inSize;
  counters.inputNonZero = countNonZero(x);
  counters.outputs = outSize;
  counters.outputNonZero = countNonZero(y);
  if (op.requant) counters.activeChannels = activeChannels(y, outSize);
  counters.weightBits = w.length * op.weights.bits;
  counters.activationBitsRead = inSize * inBits;
  counters.activationBitsWritten = outSize * (op.outBits ?? 32);
  return y;
}
