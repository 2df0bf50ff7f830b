/**
 * Integer convolution whose work follows the number of non-zero inputs (k-WTA makes most of them
 * zero) rather than the dense size. Layout NHWC without the batch axis; weights [kh, kw, inC, outC]
 * so the inner loops run over contiguous output channels.
 * - WebAssembly SIMD (wasm/conv.ts): gather form — each input pixel's non-zeros are listed once,
 *   then every output pixel sums over its taps' non-zeros with 16 output channels in registers,
 *   and requantizes straight away.
 * - JavaScript fallback: input-stationary — each non-zero input is scattered into the accumulators
 *   of the outputs it feeds, then everything is requantized.
 * Both give the same codes and counters (tested).
 */
import type { IntConv } from '../int-model';
import { activeChannels, countNonZero, type OpCounters } from '../counters';
import { requantizeAll } from './requantize';
import { placeConstants, scratch, wasmKernels, type WasmKernels } from './wasm-runtime';

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
  let y: Int32Array;
  let executed = 0;
  let inputNonZero = 0;
  let outputNonZero = 0;
  let active: Uint8Array;
  const k = wasmKernels();
  if (k) {
    ({ y, executed, inputNonZero, outputNonZero, active } = convWasm(k, op, x));
  } else {
    const { start, out, weight } = tapsOf(op);
    y = new Int32Array(outH * outW * outC);
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
    outputNonZero = countNonZero(y);
    active = activeChannels(y, outC);
  }
  counters.denseMacs = outH * outW * op.kernel[0] * op.kernel[1] * inC * outC;
  counters.executedMacs = executed;
  counters.inputs = x.length;
  counters.inputNonZero = inputNonZero;
  counters.outputs = y.length;
  counters.outputNonZero = outputNonZero;
  counters.activeChannels = active;
  counters.weightBits = w.length * op.weights.bits;
  counters.activationBitsRead = x.length * inBits;
  counters.activationBitsWritten = y.length * op.outBits;
  return y;
}

/**
 * The gather tables of the WebAssembly kernel: for output pixel q, taps qStart[q] … qStart[q+1]
 * give the input pixel read (tIn) and the byte offset of that kernel position's weights (tW), in
 * weights re-laid out with outC rounded up to 16 (outCP; the extra channels are zero).
 */
interface GatherTables {
  qStart: Int32Array;
  tIn: Int32Array;
  tW: Int32Array;
  weights: Int32Array;
  outCP: number;
}

function gatherTables(op: IntConv): GatherTables {
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  const [kh, kw] = op.kernel;
  const outCP = Math.ceil(outC / 16) * 16;
  const qStart = new Int32Array(outH * outW + 1);
  const tIn: number[] = [];
  const tW: number[] = [];
  for (let oh = 0; oh < outH; oh++) {
    for (let ow = 0; ow < outW; ow++) {
      qStart[oh * outW + ow] = tIn.length;
      for (let r = 0; r < kh; r++) {
        const ih = oh * op.stride - op.pad.top + r;
        if (ih < 0 || ih >= inH) continue;
        for (let s = 0; s < kw; s++) {
          const iw = ow * op.stride - op.pad.left + s;
          if (iw < 0 || iw >= inW) continue;
          tIn.push(ih * inW + iw);
          tW.push((r * kw + s) * inC * outCP * 4);
        }
      }
    }
  }
  qStart[outH * outW] = tIn.length;
  const v = op.weights.values;
  const weights = new Int32Array(kh * kw * inC * outCP);
  for (let row = 0; row < kh * kw * inC; row++) {
    weights.set(v.subarray(row * outC, (row + 1) * outC), row * outCP);
  }
  return { qStart, tIn: Int32Array.from(tIn), tW: Int32Array.from(tW), weights, outCP };
}

const gatherCache = new WeakMap<IntConv, GatherTables>();

function convWasm(
  k: WasmKernels,
  op: IntConv,
  x: Int32Array
): {
  y: Int32Array;
  executed: number;
  inputNonZero: number;
  outputNonZero: number;
  active: Uint8Array;
} {
  const [inH, inW, inC] = op.inShape;
  const [outH, outW, outC] = op.outShape;
  let g = gatherCache.get(op);
  if (!g) gatherCache.set(op, (g = gatherTables(op)));
  const r = op.requant;
  const [qStart, tIn, tW, weights, m, shift, bias] = placeConstants(k, op, [
    g.qStart,
    g.tIn,
    g.tW,
    g.weights,
    r.m,
    r.shift,
    r.bias
  ]);
  const inPixels = inH * inW;
  const outPixels = outH * outW;
  const {
    at: [xAt, nzCount, nzVal, nzOff, acc, yAt, activeAt, stats],
    heap
  } = scratch(k, [x.length, inPixels, x.length, x.length, g.outCP, outPixels * outC, outC, 2]);
  heap.set(x, xAt >> 2);
  heap.fill(0, activeAt >> 2, (activeAt >> 2) + outC);
  const executed = k.conv(
    xAt,
    inPixels,
    inC,
    nzCount,
    nzVal,
    nzOff,
    qStart,
    tIn,
    tW,
    outPixels,
    weights,
    outC,
    g.outCP,
    acc,
    m,
    shift,
    bias,
    Math.min(r.maxCode, 2 ** 31 - 1), // an int32 in the kernel; codes never come near it
    yAt,
    activeAt,
    stats
  );
  const y = heap.slice(yAt >> 2, (yAt >> 2) + outPixels * outC);
  const active = Uint8Array.from(heap.subarray(activeAt >> 2, (activeAt >> 2) + outC));
  return {
    y,
    executed,
    inputNonZero: heap[stats >> 2],
    outputNonZero: heap[(stats >> 2) + 1],
    active
  };
}
