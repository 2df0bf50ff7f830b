/**
 * The JSON model spec: what a Quench network is, independent of its trained weights.
 *
 * Layout is NHWC throughout. Conv kernels are `[kernelH, kernelW, inChannels, outChannels]`, dense
 * kernels `[inUnits, outUnits]`, so the output channel is always the last axis (per-channel
 * quantization groups by it).
 */

export const SPEC_VERSION = 1;

/** 32 bits means "keep float32": no quantizer at that point. */
export const FLOAT_BITS = 32;

export type WeightScheme = 'linear' | 'exponential' | 'kmeans';
export const WEIGHT_SCHEMES: readonly WeightScheme[] = ['linear', 'exponential', 'kmeans'];

export type Padding = 'same' | 'valid';

/** Settings for layers with weights; every field falls back to the spec's `quant` defaults. */
export interface WeightQuantOverrides {
  /** 1–8, or 32 for float. */
  weightBits?: number;
  weightScheme?: WeightScheme;
}

export interface ConvLayerSpec extends WeightQuantOverrides {
  type: 'conv';
  name?: string;
  filters: number;
  /** Square size or [height, width]. */
  kernel: number | [number, number];
  stride?: number;
  padding?: Padding;
}

export interface BatchNormLayerSpec {
  type: 'batchnorm';
  name?: string;
  /** Moving-average momentum for the inference statistics (default 0.9). */
  momentum?: number;
  epsilon?: number;
}

/** ReLU; its output is where activations are quantized (unsigned, EMA-tracked range). */
export interface ReluLayerSpec {
  type: 'relu';
  name?: string;
  /** 1–8, or 32 for float; falls back to `quant.actBits`. */
  actBits?: number;
}

/** Per-location k-winners-take-all across channels (PAPERS.md §1). */
export interface KwtaLayerSpec {
  type: 'kwta';
  name?: string;
  /** Fraction of channels kept at each spatial location, in (0, 1]; 1 turns the layer off. */
  fraction: number;
  /** Numenta-style duty-cycle boosting; 0 (the default) turns it off. */
  boostStrength?: number;
}

export interface PoolLayerSpec {
  type: 'maxpool' | 'avgpool';
  name?: string;
  size: number;
  /** Defaults to `size`. */
  stride?: number;
  padding?: Padding;
  /** avgpool only: its averages leave the activation grid and are requantized here. */
  actBits?: number;
}

/** Global average pool: [N, H, W, C] → [N, C]; requantized like avgpool. */
export interface GapLayerSpec {
  type: 'gap';
  name?: string;
  actBits?: number;
}

/** Fully connected; flattens a 4-D input. Without `units` it is the classifier head (one per class). */
export interface DenseLayerSpec extends WeightQuantOverrides {
  type: 'dense';
  name?: string;
  units?: number;
}

export type LayerSpec =
  | ConvLayerSpec
  | BatchNormLayerSpec
  | ReluLayerSpec
  | KwtaLayerSpec
  | PoolLayerSpec
  | GapLayerSpec
  | DenseLayerSpec;

export type LayerType = LayerSpec['type'];

export interface QuantDefaults {
  weightBits: number;
  weightScheme: WeightScheme;
  actBits: number;
  /** Bits of the model input (asymmetric uniform, range tracked during training). */
  inputBits: number;
}

export interface InputSpec {
  /** [height, width, channels] of one example. */
  shape: [number, number, number];
  kind: 'audio' | 'image';
}

export interface TrainingDefaults {
  optimizer: 'adam' | 'sgd';
  learningRate: number;
  l2: number;
  batchSize: number;
  epochs: number;
  /**
   * How the learning rate moves over a phase: 'cosine' falls from learningRate to 5 % of it
   * along a half cosine, step by step; 'constant' keeps it. Default 'cosine'.
   */
  schedule?: 'cosine' | 'constant';
}

export interface ModelSpec {
  version: typeof SPEC_VERSION;
  name: string;
  description?: string;
  input: InputSpec;
  /**
   * Feature-extraction settings (defined by core/features); carried opaquely here so the model
   * file can record exactly how inputs were computed.
   */
  features?: Record<string, unknown>;
  quant: QuantDefaults;
  layers: LayerSpec[];
  training?: Partial<TrainingDefaults>;
}
