/**
 * The integer weights of a layer: b-bit indices into a small integer table (what the model file
 * packs) and the decoded integer values the kernels use, at the finest table precision whose
 * worst-case accumulator fits int32. Float-trained layers get a fine linear grid.
 */
import {
  exactPowersOfTwo,
  exponentialLevelCount,
  exponentialMagnitudes,
  quantizeWeights
} from '../quant/index';
import { TABLE_LEVEL_BITS, tableUnit } from '../quant/types';
import type { QuantizedWeights } from '../quant/types';
import { FLOAT_BITS, type WeightScheme } from '../spec/model-spec';
import { ConvertError } from './convert-error';
import type { WeightStore } from './int-model';

/**
 * Integer levels of table schemes (k-means, exponential with q ≠ ½) carry up to 13 bits plus sign
 * (so ONNX export can split them into two int8 halves);
 * fewer when a layer's worst-case accumulator would otherwise overflow int32.
 */
const TABLE_BITS = [TABLE_LEVEL_BITS, 12, 11, 10, 9, 8];

/** A store from per-weight table indices: values[i] = table[indices[i]]. */
function fromIndices(
  q: QuantizedWeights,
  table: Int32Array,
  indices: Uint8Array | Uint16Array,
  scale: Float64Array,
  powerOfTwo: boolean
): WeightStore {
  return {
    scheme: q.scheme,
    bits: q.bits,
    indices,
    table,
    values: Int32Array.from(indices, (i) => table[i]),
    scale,
    powerOfTwo
  };
}

/**
 * The integer weights of a quantized tensor, as b-bit indices into a small integer table (what
 * the model file packs) and the decoded integer values the kernels use.
 */
export function weightStore(q: QuantizedWeights, tableBits = TABLE_BITS[0]): WeightStore {
  const out = q.shape[q.shape.length - 1];
  if (q.scheme === 'linear') {
    // Codes −L … L (or ±1 at one bit) → indices 0 … 2L.
    const table =
      q.bits === 1
        ? Int32Array.of(-1, 1)
        : Int32Array.from({ length: 2 ** q.bits - 1 }, (_, i) => i - (2 ** (q.bits - 1) - 1));
    const offset = q.bits === 1 ? 0 : 2 ** (q.bits - 1) - 1;
    const toIndex = (c: number) => (q.bits === 1 ? (c < 0 ? 0 : 1) : c + offset);
    const indices =
      q.bits > 8 ? Uint16Array.from(q.codes, toIndex) : Uint8Array.from(q.codes, toIndex);
    return fromIndices(q, table, indices, Float64Array.from(q.scales), false);
  }
  let levels: number[]; // real value of each table index
  let indices: Uint8Array;
  if (q.scheme === 'exponential') {
    const n = exponentialLevelCount(q.bits, q.hasZero);
    // The quantizer's own magnitudes (ascending: A·q^j at n−1−j) for codes −n … n, with code 0
    // (zero) only when the grid has it: 2n + 1 ≤ 2^b levels with zero, 2n = 2^b without.
    const mags = exponentialMagnitudes(q.amplitude, q.q, n, false);
    const codes: number[] = [];
    for (let code = -n; code <= n; code++) if (code !== 0 || q.hasZero) codes.push(code);
    levels = codes.map((code) => (code === 0 ? 0 : Math.sign(code) * mags[n - Math.abs(code)]));
    const indexOf = new Map(codes.map((code, i) => [code, i]));
    indices = Uint8Array.from(q.codes, (c) => indexOf.get(c)!);
    if (exactPowersOfTwo(q.q, n)) {
      // Powers of two: integer level 2^(n−1−j) with scale A·2^−(n−1), exactly.
      const scale = q.amplitude * 2 ** -(n - 1);
      const table = Int32Array.from(levels, (v) => (scale > 0 ? Math.round(v / scale) : 0));
      return fromIndices(q, table, indices, new Float64Array(out).fill(scale), true);
    }
  } else {
    levels = Array.from(q.codebook);
    indices = Uint8Array.from(q.codes);
  }
  const maxAbs = levels.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const scale = tableUnit(maxAbs, tableBits) || 1;
  const table = Int32Array.from(levels, (v) => Math.round(v / scale));
  return fromIndices(q, table, indices, new Float64Array(out).fill(scale), false);
}

/** Per output channel, the largest |accumulator| any input can give: largest input code × Σ|w|. */
export function accumulatorReach(w: Int32Array, outC: number, maxInput: number): Float64Array {
  const sums = new Float64Array(outC);
  for (let i = 0; i < w.length; i++) sums[i % outC] += Math.abs(w[i]);
  return sums.map((v) => v * maxInput);
}

function accumulatorFits(w: Int32Array, outC: number, maxInput: number): boolean {
  return Math.max(...accumulatorReach(w, outC, maxInput)) < 2 ** 31;
}

/**
 * Bits of the linear per-channel grid that serves float-trained weights: fine enough that the
 * engine's top-1 agrees with the float model as the low-precision models agree with theirs
 * (8-bit weights did not: a small weight error moves low-bit activations across a rounding step
 * and flips k-WTA winners), coarse enough that levels fit two int8 halves in the ONNX export.
 */
export const FLOAT_SERVED_WEIGHT_BITS = 12;

/**
 * The integer weights of one layer ([kh, kw, inC, outC] or [in, out] float32 `kernel`): exactly
 * the trained levels of a low-precision layer, or a {@link FLOAT_SERVED_WEIGHT_BITS}-bit linear
 * grid for a float one — each at the finest table precision whose worst-case accumulator
 * (`maxInput` × Σ|w| per channel) fits int32. Throws ConvertError when none does.
 */
export function layerWeights(
  name: string,
  kernel: Float32Array,
  shape: number[],
  bits: number,
  scheme: WeightScheme,
  maxInput: number
): WeightStore {
  const outC = shape[shape.length - 1];
  const fits = (w: WeightStore) => accumulatorFits(w.values, outC, maxInput);
  let fit: WeightStore | undefined;
  if (bits === FLOAT_BITS) {
    for (const b of [FLOAT_SERVED_WEIGHT_BITS, 10, 8]) {
      fit = weightStore(quantizeWeights(kernel, shape, { bits: b, scheme: 'linear' }));
      if (fits(fit)) break;
    }
  } else {
    const q = quantizeWeights(kernel, shape, { bits, scheme });
    for (const tableBits of TABLE_BITS) {
      fit = weightStore(q, tableBits);
      if (fits(fit)) break;
    }
  }
  if (!fit || !fits(fit)) throw new ConvertError(`${name}: accumulators could overflow int32`);
  return fit;
}

/**
 * The values the engine serves for a float-trained weight layer ([kh, kw, inC, outC] or [in, out]
 * float32 `kernel`; `maxInput` the largest input code, 2^inputBits for the first layer, 2^8
 * after): its {@link FLOAT_SERVED_WEIGHT_BITS}-bit per-channel grid, dequantized. Training stores
 * float weights as these values at its end, so the saved model computes what the engine does.
 */
export function servedFloatWeights(
  kernel: Float32Array,
  shape: number[],
  maxInput: number
): Float32Array {
  const w = layerWeights('weights', kernel, shape, FLOAT_BITS, 'linear', maxInput);
  const outC = shape[shape.length - 1];
  return Float32Array.from(w.values, (v, i) => v * w.scale[i % outC]);
}
