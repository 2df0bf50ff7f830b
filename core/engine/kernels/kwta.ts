/**
 * k-WTA on integer codes: the same winners as the trained model (the codes order exactly like the
 * real values, ties go to the lower channel, a zero never wins). Without boosting the selection
 * counts codes in a histogram — in WebAssembly (wasm/kwta.ts) where available, else in JavaScript,
 * or through core/sparsify's mask when that is cheaper; boosted k-WTA always uses the mask.
 */
import type { IntKwta } from '../int-model';
import { kwtaMask } from '../../sparsify/k-wta';
import { countNonZero, type OpCounters } from '../counters';
import { scratch, wasmKernels } from './wasm-runtime';

/** Histograms above this many levels cost more than they save; the mask is used instead. */
const MAX_COUNTING_BITS = 12;

export function kwtaImpl(
  op: IntKwta,
  x: Int32Array,
  counters: OpCounters,
  bits: number,
  wins?: Float32Array
): Int32Array {
  const channels = op.shape[2];
  let y: Int32Array;
  const k = wasmKernels();
  let inputNonZero: number;
  let outputNonZero: number;
  if (!op.boost && bits <= MAX_COUNTING_BITS && k) {
    // The wasm histogram is scanned down from each location's largest code, so it is never the
    // slower choice.
    const levels = 2 ** bits;
    const {
      at: [xAt, yAt, hist, winsAt],
      heap
    } = scratch(k, [x.length, x.length, levels, channels]);
    heap.set(x, xAt >> 2);
    heap.fill(0, hist >> 2, (hist >> 2) + levels);
    heap.fill(0, winsAt >> 2, (winsAt >> 2) + channels);
    inputNonZero = k.nonZero(xAt, x.length);
    outputNonZero = k.kwtaCount(
      xAt,
      x.length / channels,
      channels,
      op.k,
      levels,
      hist,
      yAt,
      winsAt
    );
    y = heap.slice(yAt >> 2, (yAt >> 2) + x.length);
    if (wins) for (let c = 0; c < channels; c++) wins[c] += heap[(winsAt >> 2) + c];
  } else {
    y = new Int32Array(x.length);
    // Insertion into a top-k list costs C·k per location, counting C + 2^bits: pick the cheaper.
    if (op.boost || bits > MAX_COUNTING_BITS || channels * op.k <= channels + 2 ** bits) {
      const mask = kwtaMask(x, channels, op.k, op.boost, wins);
      for (let i = 0; i < x.length; i++) if (mask[i]) y[i] = x[i];
    } else {
      countingKwta(x, channels, op.k, 2 ** bits, y, wins);
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

/**
 * k-WTA on small non-negative codes by counting: per location a histogram of the codes gives the
 * k-th largest value T in O(C + levels); every code above T wins, then the lowest-indexed codes
 * equal to T fill the remaining places, and 0 never wins — the same winners as kwtaMask.
 */
function countingKwta(
  x: Int32Array,
  channels: number,
  k: number,
  levels: number,
  y: Int32Array,
  wins?: Float32Array
): void {
  const hist = new Int32Array(levels);
  for (let base = 0; base < x.length; base += channels) {
    hist.fill(0);
    for (let c = 0; c < channels; c++) {
      const v = x[base + c];
      if (v > 0) hist[v < levels ? v : levels - 1]++;
    }
    let above = 0;
    let t = levels - 1;
    for (; t > 0; t--) {
      if (above + hist[t] >= k) break;
      above += hist[t];
    }
    if (t === 0) {
      // Fewer than k positive codes: all of them win.
      for (let c = 0; c < channels; c++) {
        const v = x[base + c];
        if (v > 0) {
          y[base + c] = v;
          if (wins) wins[c]++;
        }
      }
      continue;
    }
    let places = k - above;
    for (let c = 0; c < channels; c++) {
      const v = x[base + c];
      if (v > t || (v === t && places-- > 0)) {
        y[base + c] = v;
        if (wins) wins[c]++;
      }
    }
  }
}
