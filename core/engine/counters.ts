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
