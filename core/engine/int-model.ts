/**
 * The integer model: plain objects holding integer weights and requantization constants, one per
 * fused operation. Activations between operations are integers: the input is stored signed (its
 * quantized code minus the zero point, so a real 0 is an integer 0), every later activation is an
 * unsigned code q with real value q·step.
 */

/** q_out = clamp(floor((acc·m + bias + 2^(shift−1)) / 2^shift), 0, maxCode), per output channel. */
export interface Requant {
  /** 31-bit multipliers, |m| in [2^30, 2^31) (0 for a dead channel). */
  m: Int32Array;
  shift: Int32Array;
  /** The folded batch-norm/bias offset in units of 2^−shift (an integer). */
  bias: Float64Array;
  maxCode: number;
}

/** How the stored integers of a weight tensor map to codes. */
export interface WeightStore {
  scheme: 'linear' | 'exponential' | 'kmeans';
  bits: number;
  /**
   * Per weight, [kh, kw, inC, outC] or [in, out] (output channel last): an index into `table`
   * (16-bit for the 9–16-bit linear weights that serve float-trained layers).
   */
  indices: Uint8Array | Uint16Array;
  /**
   * The integer level of each index: linear → the code (−L … L, or ±1 at one bit); exponential →
   * ±2^k for q = ½, else the level at 13-bit precision; k-means → the centroid at 13-bit precision.
   */
  table: Int32Array;
  /** table[indices[i]], decoded once for the kernels. */
  values: Int32Array;
  /** Real weight = values[i]·scale[c] (per output channel; table schemes repeat one). */
  scale: Float64Array;
  /** Exponential with q = ½: every non-zero level is a power of two, so a multiply is a shift. */
  powerOfTwo: boolean;
}

export interface IntConv {
  op: 'conv';
  name: string;
  inShape: [number, number, number];
  outShape: [number, number, number];
  kernel: [number, number];
  stride: number;
  pad: { top: number; left: number };
  weights: WeightStore;
  requant: Requant;
  /** Activation bits of the output, and the real value of one output step. */
  outBits: number;
  outStep: number;
}

export interface IntDense {
  op: 'dense';
  name: string;
  inSize: number;
  outSize: number;
  weights: WeightStore;
  /** Hidden layer: requantized like a conv. Last layer: float logits = acc·logitScale[c] + logitBias[c]. */
  requant?: Requant;
  logitScale?: Float64Array;
  logitBias?: Float64Array;
  outBits?: number;
  outStep?: number;
}

export interface IntMaxPool {
  op: 'maxpool';
  name: string;
  inShape: [number, number, number];
  outShape: [number, number, number];
  size: number;
  stride: number;
  pad: { top: number; left: number };
}

/** Average pooling and global average pooling: a sum of codes requantized to the output step. */
export interface IntAvgPool {
  op: 'avgpool' | 'gap';
  name: string;
  inShape: [number, number, number];
  outShape: [number, number, number];
  size: number;
  stride: number;
  pad: { top: number; left: number };
  /** Real output = Σ codes · inStep / count; requantized to `outStep` (window count may vary). */
  inStep: number;
  outStep: number;
  outBits: number;
}

export interface IntKwta {
  op: 'kwta';
  name: string;
  shape: [number, number, number];
  k: number;
  /** Duty-cycle boost factors [C], when boosting is on. */
  boost?: Float64Array;
}

export type IntOp = IntConv | IntDense | IntMaxPool | IntAvgPool | IntKwta;

export interface IntModel {
  /** Asymmetric input quantizer: code = clamp(round(x/scale) + zeroPoint, 0, 2^bits − 1). */
  input: { shape: [number, number, number]; bits: number; scale: number; zeroPoint: number };
  ops: IntOp[];
  classes: number;
}
