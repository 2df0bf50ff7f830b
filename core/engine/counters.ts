/** What one operation did on one input: the counts the sparsity panel and energy model read. */
export interface OpCounters {
  name: string;
  op: string;
  /** Multiply-accumulates a dense implementation performs. */
  denseMacs: number;
  /** Multiply-accumulates actually executed (zero activations skipped). */
  executedMacs: number;
  /** Input and output activations, and how many of them are non-zero. */
  inputs: number;
  inputNonZero: number;
  outputs: number;
  outputNonZero: number;
  /** Bits read: weights (each once) and input activations; bits written: output activations. */
  weightBits: number;
  activationBitsRead: number;
  activationBitsWritten: number;
  /** conv / dense: 1 for each output channel that was non-zero somewhere in this output. */
  activeChannels?: Uint8Array;
  /**
   * The input and output as run-length pairs ({@link runLengthPairs}, runs of at most
   * {@link RLC_MAX_RUN} zeros); absent for the float logits, which are not run-length coded.
   */
  inputRunPairs?: number;
  outputRunPairs?: number;
}

/**
 * Longest zero run one pair holds: Eyeriss codes activations as (5-bit run of zeros, non-zero
 * value) pairs (Y.-H. Chen et al., "Eyeriss", IEEE JSSC 52(1), 2017, Sec. V-B).
 */
export const RLC_RUN_BITS = 5;
export const RLC_MAX_RUN = 2 ** RLC_RUN_BITS - 1;

/**
 * How many (zero run, value) pairs run-length coding of `x` (in storage order) takes: one per
 * non-zero value, plus one (maxRun, 0) pair for each maxRun + 1 zeros that a run holds beyond
 * what one pair can count, plus the pairs that carry trailing zeros.
 */
export function runLengthPairs(x: ArrayLike<number>, maxRun = RLC_MAX_RUN): number {
  let pairs = 0;
  let zeros = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i] === 0) zeros++;
    else {
      pairs += 1 + Math.floor(zeros / (maxRun + 1));
      zeros = 0;
    }
  }
  return pairs + Math.ceil(zeros / (maxRun + 1));
}

export function emptyCounters(name: string, op: string): OpCounters {
  return {
    name,
    op,
    denseMacs: 0,
    executedMacs: 0,
    inputs: 0,
    inputNonZero: 0,
    outputs: 0,
    outputNonZero: 0,
    weightBits: 0,
    activationBitsRead: 0,
    activationBitsWritten: 0
  };
}

export function countNonZero(x: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) n++;
  return n;
}

/** Which channels of an [positions, channels] output hold any non-zero value. */
export function activeChannels(y: ArrayLike<number>, channels: number): Uint8Array {
  const active = new Uint8Array(channels);
  for (let base = 0; base < y.length; base += channels) {
    for (let c = 0; c < channels; c++) if (y[base + c] !== 0) active[c] = 1;
  }
  return active;
}
