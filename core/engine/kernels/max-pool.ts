/**
 * Max pooling on integer codes (exact: the codes order like the real values they stand for). The
 * common 2×2 / 2 window without padding runs in WebAssembly SIMD (wasm/max-pool.ts) where
 * available, else in a straight JavaScript loop; other windows use the general loop.
 */
import type { IntMaxPool } from '../int-model';
import { countNonZero, type OpCounters } from '../counters';
import { scratch, wasmKernels } from './wasm-runtime';

export function maxPoolImpl(
  op: IntMaxPool,
  x: Int32Array,
  counters: OpCounters,
  bits: number
): Int32Array {
  const [inH, inW, c] = op.inShape;
  const [outH, outW] = op.outShape;
  const size = outH * outW * c;
  let y: Int32Array;
  const k = wasmKernels();
  const twoByTwo =
    op.size === 2 &&
    op.stride === 2 &&
    op.pad.top === 0 &&
    op.pad.left === 0 &&
    outH * 2 <= inH &&
    outW * 2 <= inW;
  let inputNonZero: number;
  let outputNonZero: number;
  if (twoByTwo && k) {
    const {
      at: [xAt, yAt],
      heap
    } = scratch(k, [x.length, size]);
    heap.set(x, xAt >> 2);
    inputNonZero = k.nonZero(xAt, x.length);
    outputNonZero = k.maxPool2(xAt, inW, c, outH, outW, yAt);
    y = heap.slice(yAt >> 2, (yAt >> 2) + size);
  } else {
    y = new Int32Array(size);
    if (twoByTwo) {
      // The common 2×2 / 2 window, without padding: straight indexing, no bounds per element.
      const row = inW * c;
      for (let oh = 0; oh < outH; oh++) {
        for (let ow = 0; ow < outW; ow++) {
          const a = (2 * oh * inW + 2 * ow) * c;
          const o = (oh * outW + ow) * c;
          for (let k = 0; k < c; k++) {
            const p = x[a + k];
            const q = x[a + c + k];
            const r = x[a + row + k];
            const s = x[a + row + c + k];
            const m1 = p > q ? p : q;
            const m2 = r > s ? r : s;
            y[o + k] = m1 > m2 ? m1 : m2;
          }
        }
      }
    } else {
      maxPoolGeneric(op, x, y);
    }
    inputNonZero = countNonZero(x);
    outputNonZero = countNonZero(y);
  }
  counters.inputs = x.length;
  counters.inputNonZero = inputNonZero;
  counters.outputs = y.length;
  counters.outputNonZero = outputNonZero;
  counters.activationBitsRead = x.length * bits;
  counters.activationBitsWritten = y.length * bits;
  return y;
}

function maxPoolGeneric(op: IntMaxPool, x: Int32Array, y: Int32Array): void {
  const [inH, inW, c] = op.inShape;
  const [outH, outW] = op.outShape;
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
}
