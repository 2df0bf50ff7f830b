import type { LayerSpec, ModelSpec, Padding, WeightScheme } from './model-spec';
import { SpecError } from './spec-error';

/** A layer with every default filled in and its shapes known (shapes exclude the batch axis). */
export interface ResolvedLayer {
  index: number;
  /** Unique within the model: the spec's name, or `<type><index>`. */
  name: string;
  spec: LayerSpec;
  inShape: number[];
  outShape: number[];
  /** conv / dense only. */
  weightBits?: number;
  weightScheme?: WeightScheme;
  /** Output activation bits where this layer quantizes (relu, avgpool, gap). */
  actBits?: number;
  /** conv: [kh, kw, inC, outC]; dense: [in, out]. */
  kernelShape?: number[];
}

export interface ResolvedModel {
  spec: ModelSpec;
  numClasses: number;
  inputBits: number;
  layers: ResolvedLayer[];
}

function outSize(size: number, k: number, stride: number, padding: Padding): number {
  return padding === 'same' ? Math.ceil(size / stride) : Math.ceil((size - k + 1) / stride);
}

function kernelHW(k: number | [number, number]): [number, number] {
  return Array.isArray(k) ? k : [k, k];
}

/**
 * Fills defaults and infers every layer's input/output shape for `numClasses` outputs.
 * Throws {@link SpecError} when a layer's window no longer fits its input.
 */
export function resolveSpec(spec: ModelSpec, numClasses: number): ResolvedModel {
  if (!Number.isInteger(numClasses) || numClasses < 2) {
    throw new SpecError('classes', `a classifier needs at least 2 classes, got ${numClasses}`);
  }
  const q = spec.quant;
  let shape: number[] = [...spec.input.shape];
  const names = new Set<string>();
  const layers = spec.layers.map((layer, index): ResolvedLayer => {
    const at = `layers[${index}]`;
    const inShape = shape;
    const name = layer.name ?? `${layer.type}${index}`;
    if (names.has(name)) throw new SpecError(`${at}.name`, `duplicate layer name "${name}"`);
    names.add(name);
    const r: ResolvedLayer = { index, name, spec: layer, inShape, outShape: inShape };
    const spatial = (): [number, number, number] => {
      if (inShape.length !== 3)
        throw new SpecError(at, `${layer.type} needs a [h, w, c] input, got [${inShape}]`);
      return inShape as [number, number, number];
    };
    switch (layer.type) {
      case 'conv': {
        const [h, w, c] = spatial();
        const [kh, kw] = kernelHW(layer.kernel);
        const s = layer.stride ?? 1;
        const p = layer.padding ?? 'same';
        r.outShape = [outSize(h, kh, s, p), outSize(w, kw, s, p), layer.filters];
        r.kernelShape = [kh, kw, c, layer.filters];
        r.weightBits = layer.weightBits ?? q.weightBits;
        r.weightScheme = layer.weightScheme ?? q.weightScheme;
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const [h, w, c] = spatial();
        const s = layer.stride ?? layer.size;
        const p = layer.padding ?? 'valid';
        r.outShape = [outSize(h, layer.size, s, p), outSize(w, layer.size, s, p), c];
        if (layer.type === 'avgpool') r.actBits = layer.actBits ?? q.actBits;
        break;
      }
      case 'gap':
        r.outShape = [spatial()[2]];
        r.actBits = layer.actBits ?? q.actBits;
        break;
      case 'dense': {
        const inUnits = inShape.reduce((a, b) => a * b, 1);
        const units = layer.units ?? numClasses;
        r.outShape = [units];
        r.kernelShape = [inUnits, units];
        r.weightBits = layer.weightBits ?? q.weightBits;
        r.weightScheme = layer.weightScheme ?? q.weightScheme;
        break;
      }
      case 'relu':
        r.actBits = layer.actBits ?? q.actBits;
        break;
      default:
        break;
    }
    if (r.outShape.some((d) => d < 1)) {
      throw new SpecError(
        at,
        `output shape [${r.outShape}] is empty: the input [${inShape}] is too small`
      );
    }
    shape = r.outShape;
    return r;
  });
  const last = layers[layers.length - 1];
  if (last.outShape[0] !== numClasses) {
    throw new SpecError(
      `layers[${last.index}].units`,
      `the classifier has ${last.outShape[0]} outputs but the data has ${numClasses} classes`
    );
  }
  return { spec, numClasses, inputBits: q.inputBits, layers };
}

/**
 * Refuses settings the integer engine can't serve as trained, before the app's or the CLI's
 * training starts (core/data/pipeline.ts; the trainer itself still trains them, e.g. for a
 * float reference in `npm run repro`):
 * - float (32-bit) input: the engine runs on integer input codes, and serving float-trained input
 *   at 8 bits changed the class of 15 % of inputs of a tiny model with 3-bit activations;
 * - k-WTA (fraction < 1) over float activations: the engine serves float activations at 8 bits,
 *   where channels that differed in float tie, and its winners are then not the trained
 *   network's (measured: 94 % top-1 agreement on a tiny 5-class model).
 * Float weights, and float activations without k-WTA, are served faithfully (12-bit weights,
 * 8-bit activations: ≥ 99 % agreement). Throws SpecError naming the field or layer.
 */
export function checkServable(model: ResolvedModel): void {
  if (model.inputBits === 32) {
    throw new SpecError(
      'quant.inputBits',
      'the model input must be quantized (1–8 bits): the integer engine runs on integer input codes'
    );
  }
  let actBits = model.inputBits;
  for (const layer of model.layers) {
    if (layer.actBits !== undefined) actBits = layer.actBits;
    if (layer.spec.type === 'kwta' && layer.spec.fraction < 1 && actBits === 32) {
      throw new SpecError(
        `layers[${layer.index}]`,
        `k-WTA (keeping ${layer.spec.fraction} of the channels) needs quantized activations (1–8 bits), not float: the integer engine picks winners among integer codes. Turn k-WTA off (fraction 1, --kwta 1) or quantize the activations`
      );
    }
  }
}
