/**
 * Trained model → integer model. Weights keep exactly the quantized values training used (their
 * codes); batch norm is folded into each output channel's requantization multiplier and offset
 * rather than into the weights, so folding costs no extra rounding of the weights.
 */
import { backend_util } from '@tensorflow/tfjs-core';
import type { ModelContents } from '../model-file/model-file';
import { affineParams } from '../quant/activation';
import { boostFactors } from '../sparsify/boost';
import { kwtaK } from '../sparsify/k-wta-reference';
import { FLOAT_BITS } from '../spec/model-spec';
import { resolveSpec, type ResolvedLayer } from '../spec/resolve';
import { ConvertError } from './convert-error';
import type { IntModel, IntOp } from './int-model';
import { accumulatorReach, layerWeights } from './int-weights';
import { requant } from './requant-form';

export { ConvertError } from './convert-error';
export { FLOAT_SERVED_WEIGHT_BITS, servedFloatWeights, weightStore } from './int-weights';
export { fixedPoint } from './requant-form';

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
