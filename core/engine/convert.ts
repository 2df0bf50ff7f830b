/**
 * Trained model → integer model. Weights keep exactly the quantized values training used (their
 * codes); batch norm is folded into each output channel's requantization multiplier and offset
 * rather than into the weights, so folding costs no extra rounding of the weights.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { ModelContents } from '../model-file/model-file';
import { affineParams } from '../quant/activation';
import {
  exactPowersOfTwo,
  exponentialLevelCount,
  exponentialMagnitudes,
  quantizeWeights
} from '../quant/index';
import { TABLE_LEVEL_BITS, tableUnit } from '../quant/types';
import type { QuantizedWeights } from '../quant/types';
import { boostFactors } from '../sparsify/boost';
import { kwtaK } from '../sparsify/k-wta-reference';
import { FLOAT_BITS, type WeightScheme } from '../spec/model-spec';
import { resolveSpec, type ResolvedLayer } from '../spec/resolve';
import type { IntModel, IntOp, Requant, WeightStore } from './int-model';

export class ConvertError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConvertError';
  }
}

/**
 * Integer levels of table schemes (k-means, exponential with q ≠ ½) carry up to 13 bits plus sign
 * (so ONNX export can split them into two int8 halves);
 * fewer when a layer's worst-case accumulator would otherwise overflow int32.
 */
const TABLE_BITS = [TABLE_LEVEL_BITS, 12, 11, 10, 9, 8];

/** Fixed-point form of a real multiplier: |m| in [2^30, 2^31), value = m·2^−shift (gemmlowp style). */
export function fixedPoint(multiplier: number): { m: number; shift: number } {
  if (multiplier === 0 || !Number.isFinite(multiplier)) return { m: 0, shift: 0 };
  const shift = 30 - Math.floor(Math.log2(Math.abs(multiplier)));
  const m = Math.round(multiplier * 2 ** shift);
  if (Math.abs(m) >= 2 ** 31) return { m: Math.round(m / 2), shift: shift - 1 };
  return { m, shift };
}

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
function accumulatorReach(w: Int32Array, outC: number, maxInput: number): Float64Array {
  const sums = new Float64Array(outC);
  for (let i = 0; i < w.length; i++) sums[i % outC] += Math.abs(w[i]);
  return sums.map((v) => v * maxInput);
}

function accumulatorFits(w: Int32Array, outC: number, maxInput: number): boolean {
  return Math.max(...accumulatorReach(w, outC, maxInput)) < 2 ** 31;
}

/**
 * Largest |bias| and shift the requantization kernels compute exactly: the JavaScript kernel
 * keeps acc·m_lo + bias + 2^(shift−1) below 2^53 (acc·m_lo < 2^47), the wasm one works in i64.
 */
const BIAS_LIMIT = 2 ** 51;
const SHIFT_LIMIT = 52;

/**
 * Fixed-point requantization constants for real multipliers and offsets (in output steps).
 * The shift comes from the multiplier (31-bit m, gemmlowp style) unless the offset, scaled by it,
 * would leave the range the kernels compute exactly; then the shift is lowered until it fits,
 * which costs the multiplier low-order bits only. (A small multiplier meets a large offset with
 * 13-bit k-means or exponential tables: one table unit is 2^−13 of the largest weight, so the
 * multiplier shrinks by 2^13 while the batch-norm offset, in output steps, does not.)
 * A channel whose offset keeps every reachable accumulator (|acc| ≤ reach[c]) outside the output
 * range is constant: it gets m = 0 and its constant code as bias, the same outputs exactly.
 */
function requant(
  multipliers: Float64Array,
  offsets: Float64Array,
  maxCode: number,
  reach: Float64Array
): Requant {
  const n = multipliers.length;
  const r: Requant = {
    m: new Int32Array(n),
    shift: new Int32Array(n),
    bias: new Float64Array(n),
    maxCode
  };
  for (let c = 0; c < n; c++) {
    const span = reach[c] * Math.abs(multipliers[c]);
    const offset = offsets[c];
    // floor(x + ½) clamped to [0, maxCode]: always maxCode when x ≥ maxCode − ½, always 0 below −½.
    if (offset - span >= maxCode - 0.5 || offset + span < -0.5) {
      r.bias[c] = offset - span >= maxCode - 0.5 ? maxCode : 0;
      continue;
    }
    let { m, shift } = fixedPoint(multipliers[c]);
    while (shift > 0 && (shift > SHIFT_LIMIT || Math.abs(offset) * 2 ** shift > BIAS_LIMIT)) {
      shift--;
      m = Math.round(multipliers[c] * 2 ** shift);
    }
    r.m[c] = m;
    r.shift[c] = shift;
    r.bias[c] = Math.round(offset * 2 ** shift);
  }
  return r;
}

function samePad(inHW: number[], k: number[], stride: number, padding: string) {
  if (padding !== 'same') return { top: 0, left: 0 };
  const info = backend_util.computeConv2DInfo(
    [1, inHW[0], inHW[1], 1],
    [k[0], k[1], 1, 1],
    stride,
    1,
    'same'
  );
  return { top: info.padInfo.top, left: info.padInfo.left };
}

function actStep(bits: number, max: number): number {
  return (max > 0 ? max : 1e-8) / (2 ** bits - 1);
}

/**
 * Bits at which the engine serves float-trained (32-bit) activations and input: 8-bit post-training
 * quantization over the ranges calibration recorded (the TFLite int8 scheme, Jacob et al. 2018).
 * Float weights are served at {@link FLOAT_SERVED_WEIGHT_BITS}.
 */
export const FLOAT_SERVED_BITS = 8;

function servedBits(bits: number | undefined): number {
  return (bits ?? FLOAT_BITS) === FLOAT_BITS ? FLOAT_SERVED_BITS : bits!;
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
function layerWeights(
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

/**
 * Converts decoded model contents into an integer model. Low-precision parts keep exactly their
 * trained values; float activations and input are served at {@link FLOAT_SERVED_BITS} bits, float
 * weights at {@link FLOAT_SERVED_WEIGHT_BITS}. Throws ConvertError
 * when a range the conversion needs was never recorded (files from before calibration) or for a
 * layer order the engine can't run (a weight layer not followed by [batchnorm] relu, except the
 * final classifier — the spec validator refuses such networks before training).
 */
export function convertToInt(contents: ModelContents): IntModel {
  // A deployment file carries only the integer network: use it as stored.
  if (contents.tensors.length === 0 && contents.int) return contents.int;
  const model = resolveSpec(contents.spec, contents.labels.length);
  const tensors = new Map(contents.tensors.map((t) => [t.name, t]));
  const tensor = (layer: string, field: string): Float32Array => {
    const t = tensors.get(`${layer}/${field}`);
    if (!t) throw new ConvertError(`tensor ${layer}/${field} is missing`);
    return t.data as Float32Array;
  };
  const inputBits = servedBits(model.inputBits);
  const range = contents.stats.inputRange;
  if (!range) throw new ConvertError('the model has no recorded input range');
  const inP = affineParams(range[0], range[1], inputBits);
  let step = inP.scale; // real value of one unit of the current activation
  const ops: IntOp[] = [];
  const layers = model.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const spec = layer.spec;
    switch (spec.type) {
      case 'conv':
      case 'dense': {
        const shape = layer.kernelShape!;
        const outC = shape[shape.length - 1];
        const maxInput = ops.length === 0 ? 2 ** inputBits : 2 ** 8;
        const weights = layerWeights(
          layer.name,
          tensor(layer.name, 'kernel'),
          shape,
          layer.weightBits ?? FLOAT_BITS,
          layer.weightScheme!,
          maxInput
        );
        const bias = tensors.has(`${layer.name}/bias`)
          ? tensor(layer.name, 'bias')
          : new Float32Array(outC);
        // Fold: z = (s_in·scale_c·acc + bias_c − μ_c)·g_c + β_c.
        const g = new Float64Array(outC).fill(1);
        const shiftReal = Float64Array.from(bias);
        let next = i + 1;
        const bn = layers[next]?.spec.type === 'batchnorm' ? layers[next] : undefined;
        if (bn) {
          const eps = (bn.spec as { epsilon?: number }).epsilon ?? 1e-3;
          const gamma = tensor(bn.name, 'gamma');
          const beta = tensor(bn.name, 'beta');
          const mean = tensor(bn.name, 'movingMean');
          const variance = tensor(bn.name, 'movingVariance');
          for (let c = 0; c < outC; c++) {
            g[c] = gamma[c] / Math.sqrt(variance[c] + eps);
            shiftReal[c] = (bias[c] - mean[c]) * g[c] + beta[c];
          }
          next++;
        }
        const relu = layers[next]?.spec.type === 'relu' ? layers[next] : undefined;
        const inScale = Float64Array.from(weights.scale, (s) => step * s);
        if (!relu) {
          if (spec.type !== 'dense' || next !== layers.length) {
            throw new ConvertError(
              `${layer.name}: the integer engine needs [batchnorm] relu after every weight layer but the last dense`
            );
          }
          ops.push({
            op: 'dense',
            name: layer.name,
            inSize: shape[0],
            outSize: outC,
            weights,
            logitScale: Float64Array.from(inScale, (s, c) => s * g[c]),
            logitBias: shiftReal
          });
          i = next - 1;
          break;
        }
        const bits = servedBits(relu.actBits);
        const max = contents.stats.actMax[relu.name];
        if (max === undefined) throw new ConvertError(`${relu.name}: no recorded activation range`);
        const outStep = actStep(bits, max);
        const rq = requant(
          Float64Array.from(inScale, (s, c) => (s * g[c]) / outStep),
          Float64Array.from(shiftReal, (b) => b / outStep),
          2 ** bits - 1,
          accumulatorReach(weights.values, outC, maxInput)
        );
        if (spec.type === 'conv') {
          ops.push({
            op: 'conv',
            name: layer.name,
            inShape: layer.inShape as [number, number, number],
            outShape: layer.outShape as [number, number, number],
            kernel: [shape[0], shape[1]],
            stride: spec.stride ?? 1,
            pad: samePad(layer.inShape, shape, spec.stride ?? 1, spec.padding ?? 'same'),
            weights,
            requant: rq,
            outBits: bits,
            outStep
          });
        } else {
          ops.push({
            op: 'dense',
            name: layer.name,
            inSize: shape[0],
            outSize: outC,
            weights,
            requant: rq,
            outBits: bits,
            outStep
          });
        }
        step = outStep;
        i = next;
        break;
      }
      case 'maxpool':
        ops.push({
          op: 'maxpool',
          name: layer.name,
          inShape: layer.inShape as [number, number, number],
          outShape: layer.outShape as [number, number, number],
          size: spec.size,
          stride: spec.stride ?? spec.size,
          pad: samePad(
            layer.inShape,
            [spec.size, spec.size],
            spec.stride ?? spec.size,
            spec.padding ?? 'valid'
          )
        });
        break;
      case 'avgpool':
      case 'gap': {
        const bits = servedBits(layer.actBits);
        const max = contents.stats.actMax[layer.name];
        if (max === undefined)
          throw new ConvertError(`${layer.name}: no recorded activation range`);
        const outStep = actStep(bits, max);
        const size = spec.type === 'gap' ? 0 : spec.size;
        const stride = spec.type === 'gap' ? 1 : (spec.stride ?? spec.size);
        ops.push({
          op: spec.type,
          name: layer.name,
          inShape: layer.inShape as [number, number, number],
          outShape: (spec.type === 'gap' ? [1, 1, layer.outShape[0]] : layer.outShape) as [
            number,
            number,
            number
          ],
          size,
          stride,
          pad:
            spec.type === 'gap'
              ? { top: 0, left: 0 }
              : samePad(layer.inShape, [size, size], stride, spec.padding ?? 'valid'),
          inStep: step,
          outStep,
          outBits: bits
        });
        step = outStep;
        break;
      }
      case 'kwta': {
        if (spec.fraction >= 1) break;
        const shape = layer.inShape;
        const channels = shape[shape.length - 1];
        const strength = spec.boostStrength ?? 0;
        const duty = contents.stats.dutyCycles[layer.name];
        ops.push({
          op: 'kwta',
          name: layer.name,
          shape: (shape.length === 3 ? shape : [1, 1, channels]) as [number, number, number],
          k: kwtaK(channels, spec.fraction),
          boost:
            strength > 0 && duty
              ? Float64Array.from(boostFactors(Float32Array.from(duty), spec.fraction, strength))
              : undefined
        });
        break;
      }
      default:
        throw new ConvertError(
          `${(layer as ResolvedLayer).name}: a ${spec.type} layer must follow a conv or dense layer`
        );
    }
  }
  return {
    input: {
      shape: contents.spec.input.shape,
      bits: inputBits,
      scale: inP.scale,
      zeroPoint: inP.zeroPoint
    },
    ops,
    classes: contents.labels.length
  };
}
