/**
 * Integer convolution, input-stationary: every non-zero input activation is scattered into the
 * accumulators of the outputs it feeds, so the work follows the number of non-zeros (k-WTA makes
 * most of them zero) rather than the dense size. Layout NHWC without the batch axis; weights
 * [kh, kw, inC, outC] so the inner loop runs over contiguous output channels.
 */
import type { IntConv } from '../int-model';
import { activeChannels, countNonZero, type OpCounters } from '../counters';
import { convSimd, simdAvailable } from './conv-simd';
import { requantizeAll } from './requantize';

let useSimd = true;

/** Chooses the WebAssembly SIMD loop (default, when available) or the JavaScript one. */
export function setConvSimd(on: boolean): void {
  useSimd = on;
}

/**
 * For each input pixel, the (output offset, weight offset) pairs it contributes to: computed once
 * per op, so the hot loop does no index arithmetic or bounds checks.
 */
interface Taps {
  /** taps of pixel p are pairs[start[p] … start[p + 1]). */
  start: Int32Array;
  out: Int32Array;
  weight: Int32Array;
}

const tapCache = new WeakMap<IntConv, Taps>();

function tapsOf(op: IntConv): Taps {
  const cached = tapCache.get(op);
  if (cached) return cached;
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  const [kh, kw] = op.kernel;
  const { stride } = op;
  const { top, left } = op.pad;
  const start = new Int32Array(inH * inW + 1);
  const out: number[] = [];
  const weight: number[] = [];
  for (let ih = 0; ih < inH; ih++) {
    for (let iw = 0; iw < inW; iw++) {
      start[ih * inW + iw] = out.length;
      // Output (oh, ow) reads this pixel at tap (ih + top − oh·stride, iw + left − ow·stride).
      for (let r = 0; r < kh; r++) {
        const ohs = ih + top - r;
        if (ohs < 0 || ohs % stride !== 0 || ohs / stride >= outH) continue;
        for (let s = 0; s < kw; s++) {
          const ows = iw + left - s;
          if (ows < 0 || ows % stride !== 0 || ows / stride >= outW) continue;
          out.push(((ohs / stride) * outW + ows / stride) * outC);
          weight.push((r * kw + s) * inC * outC);
        }
      }
    }
  }
  start[inH * inW] = out.length;
  const taps = { start, out: Int32Array.from(out), weight: Int32Array.from(weight) };
  tapCache.set(op, taps);
  return taps;
}

export function convImpl(
  op: IntConv,
  x: Int32Array,
  counters: OpCounters,
  inBits: number
): Int32Array {
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  const w = op.weights.values;
  const { start, out, weight } = tapsOf(op);
  const y = new Int32Array(outH * outW * outC);
  let executed = 0;
  let inputNonZero = 0;
  if (useSimd && simdAvailable()) {
    executed = convSimd(op, x, inC, start, out, weight, w, op.requant, y, outC);
    inputNonZero = countNonZero(x);
  } else {
    const acc = new Int32Array(y.length); // fits: convertToInt checks the worst case
    for (let p = 0; p < inH * inW; p++) {
      const xBase = p * inC;
      const t0 = start[p];
      const t1 = start[p + 1];
      for (let c = 0; c < inC; c++) {
        const a = x[xBase + c];
        if (a === 0) continue;
        inputNonZero++;
        const cOff = c * outC;
        for (let t = t0; t < t1; t++) {
          const oBase = out[t];
          const wBase = weight[t] + cOff;
          for (let o = 0; o < outC; o++) acc[oBase + o] += a * w[wBase + o];
        }
        executed += (t1 - t0) * outC;
      }
    }
    requantizeAll(acc, op.requant, outC, y);
  }
  counters.denseMacs = outH * outW * op.kernel[0] * op.kernel[1] * inC * outC;
  counters.executedMacs = executed;
  counters.inputs = x.length;
  counters.inputNonZero = inputNonZero;
  counters.outputs = y.length;
  counters.outputNonZero = countNonZero(y);
  counters.activeChannels = activeChannels(y, outC);
  counters.weightBits = w.length * op.weights.bits;
  counters.activationBitsRead = x.length * inBits;
  counters.activationBitsWritten = y.length * op.outBits;
  return y;
}
