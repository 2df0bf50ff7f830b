/**
 * The front end inside an exported ONNX model, so that other programs feed what they have — raw
 * 16 kHz audio or RGB pixels — and get the numbers Quench's training saw, without rebuilding
 * Quench's preprocessing (the pain Teachable Machine's exported audio models are known for).
 *
 * - Audio: STFT (opset 17) with the training window, power, the training mel filter bank as a
 *   MatMul, ln(· + 1e-6), then the stored standardisation. ONNX's MelWeightMatrix is not used: it
 *   places its triangles on whole FFT bins, where Quench's filters (core/features/logmel.ts) are
 *   continuous in Hz, so its features would differ from the ones the model was trained on.
 * - Pictures: uint8 RGB at a size fixed at export, scaled to [0, 1], then the same area-averaged
 *   resize as core/features/image.ts — separable, so two MatMuls with fixed matrices — and, for
 *   grey models, Rec. 601 luma.
 */
import { checkImageSettings, type ImageSettings } from '../features/image';
import {
  checkLogMelSettings,
  clipGeometry,
  FeatureError,
  LogMelFrontEnd,
  type LogMelSettings
} from '../features/logmel';
import { DT, type GraphBuilder } from './graph';

export type OnnxInput = 'features' | 'raw';

export interface OnnxExportOptions {
  /** 'features' (default): the engine's input; 'raw': audio samples or RGB pixels. */
  input?: OnnxInput;
  /** The model's feature settings (spec.features); required for 'raw'. */
  features?: LogMelSettings | ImageSettings;
  /** 'raw' pictures: the size of the pixels taken (default 320×240, the Live camera's frames). */
  width?: number;
  height?: number;
}

export interface OnnxTensorInfo {
  name: string;
  type: 'float32' | 'uint8';
  shape: number[];
  /** One line for people: what the values are. */
  meaning: string;
}

export const DEFAULT_PIXELS = { width: 320, height: 240 };
const MAX_PIXELS_SIDE = 4096;

export class FrontEndError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FrontEndError';
  }
}

/** What the exported graph takes: its input tensor, described for people. */
export function onnxInput(shape: [number, number, number], o: OnnxExportOptions): OnnxTensorInfo {
  const [h, w, c] = shape;
  if ((o.input ?? 'features') === 'features') {
    const what =
      o.features?.kind === 'logmel'
        ? `log-mel features, ${h} frames × ${w} bands, standardised as in training`
        : o.features?.kind === 'image'
          ? `the picture resized to ${w}×${h}, ${c === 1 ? 'grey' : 'RGB'} in [0, 1]`
          : 'the features Quench computes';
    return { name: 'features', type: 'float32', shape: [1, h, w, c], meaning: what };
  }
  const f = checkedFeatures(o.features);
  if (f.kind === 'logmel') {
    const { samples } = clipGeometry(f);
    return {
      name: 'audio',
      type: 'float32',
      shape: [1, samples],
      meaning: `${f.clipSeconds} s of mono audio at ${f.sampleRate / 1000} kHz, samples in [−1, 1]`
    };
  }
  const { width, height } = pixelSize(o);
  return {
    name: 'pixels',
    type: 'uint8',
    shape: [1, height, width, 3],
    meaning: `an RGB picture of ${width}×${height} pixels, 0–255, rows top to bottom, no alpha`
  };
}

/** The model's feature settings, checked (they come from a model file). */
function checkedFeatures(f: OnnxExportOptions['features']): LogMelSettings | ImageSettings {
  try {
    if (f?.kind === 'logmel') checkLogMelSettings(f);
    else if (f?.kind === 'image') checkImageSettings(f);
    else throw new FeatureError('the model has no log-mel or image feature settings');
  } catch (e) {
    if (e instanceof FeatureError)
      throw new FrontEndError(`cannot put the front end in the ONNX model: ${e.message}`);
    throw e;
  }
  return f;
}

function pixelSize(o: OnnxExportOptions): { width: number; height: number } {
  const width = o.width ?? DEFAULT_PIXELS.width;
  const height = o.height ?? DEFAULT_PIXELS.height;
  for (const [k, v] of [
    ['width', width],
    ['height', height]
  ] as const) {
    if (!Number.isInteger(v) || v < 1 || v > MAX_PIXELS_SIDE)
      throw new FrontEndError(`the picture ${k} must be 1 to ${MAX_PIXELS_SIDE} pixels, got ${v}`);
  }
  return { width, height };
}

/**
 * Adds the graph input and, for 'raw', the front end; returns the name of the float32
 * [1, H, W, C] features tensor the network starts from and the opset the graph needs.
 */
export function addFrontEnd(
  g: GraphBuilder,
  shape: [number, number, number],
  o: OnnxExportOptions
): { features: string; opset: number } {
  if ((o.input ?? 'features') === 'features') return { features: 'features', opset: 13 };
  const f = checkedFeatures(o.features);
  return f.kind === 'logmel'
    ? { features: audioFrontEnd(g, shape, f), opset: 17 }
    : { features: pictureFrontEnd(g, shape, f, pixelSize(o)), opset: 13 };
}

function audioFrontEnd(
  g: GraphBuilder,
  shape: [number, number, number],
  f: LogMelSettings
): string {
  const { frames } = clipGeometry(f);
  if (shape[0] !== frames || shape[1] !== f.melBands || shape[2] !== 1) {
    throw new FrontEndError(
      `the network takes [${shape}], but its log-mel settings give [${frames}, ${f.melBands}, 1]`
    );
  }
  const { window, melMatrix } = new LogMelFrontEnd(f).tables();
  const bins = f.frameLength / 2 + 1;
  const signal = g.node('Unsqueeze', ['audio', g.constant('axis', DT.INT64, [1], [2])]);
  const spectrum = g.node(
    'STFT',
    [
      signal,
      g.constant('hop', DT.INT64, [], [f.hopLength]),
      g.constant('window', DT.FLOAT, [f.frameLength], window),
      g.constant('frame_length', DT.INT64, [], [f.frameLength])
    ],
    { onesided: 1 }
  );
  // [1, frames, bins, 2] (real, imaginary) → power [1, frames, bins]
  const power = g.node('ReduceSumSquare', [spectrum], { axes: [3], keepdims: 0 });
  const mel = g.node('MatMul', [power, g.constant('mel', DT.FLOAT, [bins, f.melBands], melMatrix)]);
  let v = g.node('Log', [g.node('Add', [mel, g.constant('floor', DT.FLOAT, [], [1e-6])])]);
  if (f.mean !== undefined && f.std !== undefined) {
    v = g.node('Div', [
      g.node('Sub', [v, g.constant('mean', DT.FLOAT, [], [f.mean])]),
      g.constant('std', DT.FLOAT, [], [f.std])
    ]);
  }
  return g.node('Reshape', [v, g.constant('shape', DT.INT64, [4], [1, frames, f.melBands, 1])]);
}

/** Row o of an area-averaging matrix [out, in]: each input's overlap with output o, normalised. */
function boxMatrix(inSize: number, outSize: number): Float32Array {
  const m = new Float32Array(outSize * inSize);
  const s = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    const a = o * s;
    const b = a + s;
    let total = 0;
    for (let i = Math.floor(a); i < Math.min(inSize, Math.ceil(b)); i++) {
      const w = Math.min(i + 1, b) - Math.max(i, a);
      m[o * inSize + i] = w;
      total += w;
    }
    for (let i = 0; i < inSize; i++) m[o * inSize + i] /= total;
  }
  return m;
}

function transpose(m: Float32Array, rows: number, cols: number): Float32Array {
  const t = new Float32Array(m.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = m[r * cols + c];
  return t;
}

function pictureFrontEnd(
  g: GraphBuilder,
  shape: [number, number, number],
  f: ImageSettings,
  size: { width: number; height: number }
): string {
  const [h, w, c] = shape;
  if (h !== f.height || w !== f.width || c !== f.channels) {
    throw new FrontEndError(
      `the network takes [${shape}], but its image settings give [${f.height}, ${f.width}, ${f.channels}]`
    );
  }
  const { width: W, height: H } = size;
  const unit = g.node('Div', [
    g.node('Cast', ['pixels'], { to: DT.FLOAT }),
    g.constant('full_scale', DT.FLOAT, [], [255])
  ]);
  const nchw = g.node('Transpose', [unit], { perm: [0, 3, 1, 2] });
  const across = g.node('MatMul', [
    nchw,
    g.constant('resize_x', DT.FLOAT, [W, w], transpose(boxMatrix(W, w), w, W))
  ]);
  const down = g.node('MatMul', [
    g.constant('resize_y', DT.FLOAT, [h, H], boxMatrix(H, h)),
    across
  ]);
  const nhwc = g.node('Transpose', [down], { perm: [0, 2, 3, 1] });
  if (c === 3) return nhwc;
  return g.node('MatMul', [nhwc, g.constant('luma', DT.FLOAT, [3, 1], [0.299, 0.587, 0.114])]);
}
