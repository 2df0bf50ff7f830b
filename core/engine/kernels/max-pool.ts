/** Max pooling on integer codes (exact: the codes order like the real values they stand for). */
import type { IntMaxPool } from '../int-model';
import { countNonZero, type OpCounters } from '../counters';

export function maxPoolImpl(
  op: IntMaxPool,
  x: Int32Array,
  counters: OpCounters,
  bits: number
): Int32Array {
  const [inH, inW, c] = op.inShape;
  const [outH, outW] = op.outShape;
  const y = new Int32Array(outH * outW * c);
  for (let oh = 0; oh < outH; oh++) {
    const h0 = Math.max(0, oh * op.stride - op.pad.top);
    const h1 = Math.min(inH, oh * op.stride - op.pad.top + op.size);
    for (let ow = 0; ow < outW; ow++) {
      const w0 = Math.max(0, ow * op.stride - op.pad.left);
      const w1 = Math.min(inW, ow * op.stride - op.pad.left + op.size);
      const o = (oh * outW + ow) * c;
      for (let k = 0; k < c; k++) {
        let best = -Infinity;
        for (let h = h0; h < h1; h++) {
          for (let w = w0; w < w1; w++) best = Math.max(best, x[(h * inW + w) * c + k]);
        }
        y[o + k] = best;
      }
    }
  }
  counters.inputs = x.length;
  counters.inputNonZero = countNonZero(x);
  counters.outputs = y.length;
  counters.outputNonZero = countNonZero(y);
  counters.activationBitsRead = x.length * bits;
  counters.activationBitsWritten = y.length * bits;
  return y;
}
