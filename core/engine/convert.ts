/**
 * Trained model → integer model. Weights keep exactly the quantized values training used (their
 * codes); batch norm is folded into each output channel's requantization multiplier and offset
 * rather than into the weights, so folding costs no extra rounding of the weights.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { ModelContents } from '../model-file/model-file';
import { affineParams } from '../quant/activation';
import { quantizeWeights } from '../quant/index';
import type { QuantizedWeights } from '../quant/types';
import { boostFactors } from '../sparsify/boost';
import { kwtaK } from '../sparsify/k-wta-reference';
import { FLOAT_BITS } from '../spec/model-spec';
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
const TABLE_BITS = [13, 12, 11, 10, 9, 8];

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
  indices: Uint8Array,
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
    const indices = Uint8Array.from(q.codes, (c) => (q.bits === 1 ? (c < 0 ? 0 : 1) : c + offset));
    return fromIndices(q, table, indices, Float64Array.from(q.scales), false);
  }
  let levels: number[]; // real value of each table index
  let indices: Uint8Array;
  if (q.scheme === 'exponential') {
    const n = q.bits === 1 ? 1 : 2 ** (q.bits - 1) - (q.hasZero ? 1 : 0);
    // Codes run −n … n (0 = zero); index = code + n.
    levels = Array.from({ length: 2 * n + 1 }, (_, i) => {
      const code = i - n;
      return code === 0 ? 0 : Math.sign(code) * q.amplitude * q.q ** (Math.abs(code) - 1);
    });
    indices = Uint8Array.from(q.codes, (c) => c + n);
    if (q.q === 0.5) {
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
  const scale = maxAbs > 0 ? maxAbs / 2 ** tableBits : 1;
  const table = Int32Array.from(levels, (v) => Math.round(v / scale));
  return fromIndices(q, table, indices, new Float64Array(out).fill(scale), false);
}

/** Whether the worst-case accumulator (largest input code × Σ|w| of a channel) fits in int32. */
function accumulatorFits(w: Int32Array, outC: number, maxInput: number): boolean {
  const sums = new Float64Array(outC);
  for (let i = 0; i < w.length; i++) sums[i % outC] += Math.abs(w[i]);
  return maxInput * Math.max(...sums) < 2 ** 31;
}

function requant(multipliers: Float64Array, offsets: Float64Array, maxCode: number): Requant {
  const n = multipliers.length;
  const r: Requant = {
    m: new Int32Array(n),
    shift: new Int32Array(n),
    bias: new Float64Array(n),
    maxCode
  };
  for (let c = 0; c < n; c++) {
    const { m, shift } = fixedPoint(multipliers[c]);
    r.m[c] = m;
    r.shift[c] = shift;
    r.bias[c] = Math.round(offsets[c] * 2 ** shift);
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
 * Converts decoded model contents into an integer model. Throws ConvertError for networks the
 * engine can't run exactly: float (32-bit) weights, activations or input, or a weight layer that is
 * not followed by [batchnorm] relu (except the final classifier).
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
  if (model.inputBits === FLOAT_BITS) {
    throw new ConvertError('the integer engine needs quantized input (inputBits ≤ 8)');
  }
  const range = contents.stats.inputRange;
  if (!range) throw new ConvertError('the model has no recorded input range');
  const inP = affineParams(range[0], range[1], model.inputBits);
  let step = inP.scale; // real value of one unit of the current activation
  const ops: IntOp[] = [];
  const layers = model.layers;
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i];
    const spec = layer.spec;
    switch (spec.type) {
      case 'conv':
      case 'dense': {
        if ((layer.weightBits ?? FLOAT_BITS) === FLOAT_BITS) {
          throw new ConvertError(`${layer.name}: float weights can't run on the integer engine`);
        }
        const shape = layer.kernelShape!;
        const q = quantizeWeights(tensor(layer.name, 'kernel'), shape, {
          bits: layer.weightBits!,
          scheme: layer.weightScheme!
        });
        const outC = shape[shape.length - 1];
        const maxInput = ops.length === 0 ? 2 ** model.inputBits : 2 ** 8;
        let weights = weightStore(q);
        for (const bits of TABLE_BITS.slice(1)) {
          if (accumulatorFits(weights.values, outC, maxInput)) break;
          weights = weightStore(q, bits);
        }
        if (!accumulatorFits(weights.values, outC, maxInput)) {
          throw new ConvertError(`${layer.name}: accumulators could overflow int32`);
        }
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
        const bits = relu.actBits ?? FLOAT_BITS;
        if (bits === FLOAT_BITS) {
          throw new ConvertError(`${relu.name}: float activations can't run on the integer engine`);
        }
        const max = contents.stats.actMax[relu.name];
        if (max === undefined) throw new ConvertError(`${relu.name}: no recorded activation range`);
        const outStep = actStep(bits, max);
        const rq = requant(
          Float64Array.from(inScale, (s, c) => (s * g[c]) / outStep),
          Float64Array.from(shiftReal, (b) => b / outStep),
          2 ** bits - 1
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
        const bits = layer.actBits ?? FLOAT_BITS;
        if (bits === FLOAT_BITS) {
          throw new ConvertError(
            `${layer.name}: float activations can't run on the integer engine`
          );
        }
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
      bits: model.inputBits,
      scale: inP.scale,
      zeroPoint: inP.zeroPoint
    },
    ops,
    classes: contents.labels.length
  };
}
