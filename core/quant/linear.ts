import type { QuantizedWeights } from './types';
import { checkWeightBits, outChannels, roundHalfAway } from './types';

/**
 * Symmetric linear quantization per output channel (the last axis of `shape`).
 * For b ≥ 2 bits: L = 2^(b−1) − 1, scale_c = max|w_c| / L, code = clamp(round(w / scale_c), −L, L),
 * so each channel has at most 2L + 1 ≤ 2^b levels. For b = 1 (binary): value = sign(w)·mean|w_c|
 * with codes ±1 (0 counts as +). A channel of zeros gets scale 0 and all values 0.
 * `w` is float32 in the layout of `shape` (e.g. [kh, kw, inC, outC]). Up to 16 bits: the integer
 * engine serves float-trained weights at 12 (see `FLOAT_SERVED_WEIGHT_BITS`).
 */
export function quantizeLinear(w: Float32Array, shape: number[], bits: number): QuantizedWeights {
  checkWeightBits(bits, 16);
  const out = outChannels(shape);
  const scales = new Float32Array(out);
  const codes = new Int32Array(w.length);
  const values = new Float32Array(w.length);
  if (bits === 1) {
    const sums = new Float64Array(out);
    const counts = new Float64Array(out);
    for (let i = 0; i < w.length; i++) {
      sums[i % out] += Math.abs(w[i]);
      counts[i % out]++;
    }
    for (let c = 0; c < out; c++) scales[c] = counts[c] > 0 ? sums[c] / counts[c] : 0;
    for (let i = 0; i < w.length; i++) {
      codes[i] = w[i] < 0 ? -1 : 1;
      values[i] = codes[i] * scales[i % out];
    }
    return { scheme: 'linear', bits, shape: [...shape], codes, values, scales };
  }
  const levels = 2 ** (bits - 1) - 1;
  for (let i = 0; i < w.length; i++) {
    const c = i % out;
    scales[c] = Math.max(scales[c], Math.abs(w[i]));
  }
  for (let c = 0; c < out; c++) scales[c] = scales[c] / levels;
  for (let i = 0; i < w.length; i++) {
    const s = scales[i % out];
    const code = s > 0 ? Math.max(-levels, Math.min(levels, roundHalfAway(w[i] / s))) : 0;
    codes[i] = code === 0 ? 0 : code; // no −0 codes
    values[i] = codes[i] * s;
  }
  return { scheme: 'linear', bits, shape: [...shape], codes, values, scales };
}
