/**
 * Integer convolution, input-stationary: every non-zero input activation is scattered into the
 * accumulators of the outputs it feeds, so the work follows the number of non-zeros (k-WTA makes
 * most of them zero) rather than the dense size. Layout NHWC without the batch axis; weights
 * [kh, kw, inC, outC] so the inner loop runs over contiguous output channels.
 */
import type { IntConv } from '../int-model';
import { countNonZero, type OpCounters } from '../counters';
import { requantize } from './requantize';

export function convImpl(
  op: IntConv,
  x: Int32Array,
  counters: OpCounters,
  inBits: number
): Int32Array {
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  const [kh, kw] = op.kernel;
  const { stride } = op;
  const { top, left } = op.pad;
  const w = op.weights.values;
  const acc = new Int32Array(outH * outW * outC); // fits: convertToInt checks the worst case
  let executed = 0;
  for (let ih = 0; ih < inH; ih++) {
    for (let iw = 0; iw < inW; iw++) {
      const xBase = (ih * inW + iw) * inC;
      for (let c = 0; c < inC; c++) {
        const a = x[xBase + c];
        if (a === 0) continue;
        // Output (oh, ow) reads this input at tap (ih + top − oh·stride, iw + left − ow·stride).
        for (let r = 0; r < kh; r++) {
          const ohs = ih + top - r;
          if (ohs < 0 || ohs % stride !== 0) continue;
          const oh = ohs / stride;
          if (oh >= outH) continue;
          for (let s = 0; s < kw; s++) {
            const ows = iw + left - s;
            if (ows < 0 || ows % stride !== 0) continue;
            const ow = ows / stride;
            if (ow >= outW) continue;
            const wBase = ((r * kw + s) * inC + c) * outC;
            const oBase = (oh * outW + ow) * outC;
            for (let o = 0; o < outC; o++) acc[oBase + o] += a * w[wBase + o];
            executed += outC;
          }
        }
      }
    }
  }
  const y = new Int32Array(acc.length);
  for (let p = 0; p < outH * outW; p++) {
    for (let o = 0; o < outC; o++) y[p * outC + o] = requantize(acc[p * outC + o], op.requant, o);
  }
  counters.denseMacs = outH * outW * kh * kw * inC * outC;
  counters.executedMacs = executed;
  counters.inputs = x.length;
  counters.inputNonZero = countNonZero(x);
  counters.outputs = y.length;
  counters.outputNonZero = countNonZero(y);
  counters.weightBits = w.length * op.weights.bits;
  counters.activationBitsRead = x.length * inBits;
  counters.activationBitsWritten = y.length * op.outBits;
  return y;
}
