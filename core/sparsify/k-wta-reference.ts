/**
 * Exact k-WTA winners on plain numbers, the reference the tf op and the integer engine agree with.
 * `values` holds locations × channels, channel fastest (NHWC flattened). At each location the k
 * largest values win; among equal values the lower channel index wins; a value ≤ 0 never wins.
 * Returns a 0/1 mask of the same length.
 */
export function kwtaWinners(values: ArrayLike<number>, channels: number, k: number): Uint8Array {
  if (!Number.isInteger(channels) || channels < 1 || values.length % channels !== 0) {
    throw new RangeError(
      `kwtaWinners: ${values.length} values don't split into ${channels} channels`
    );
  }
  const mask = new Uint8Array(values.length);
  const order = new Int32Array(channels);
  for (let base = 0; base < values.length; base += channels) {
    for (let c = 0; c < channels; c++) order[c] = c;
    // Stable order: larger first, then lower channel index.
    order.sort((a, b) => values[base + b] - values[base + a] || a - b);
    for (let r = 0; r < Math.min(k, channels); r++) {
      const c = order[r];
      if (values[base + c] > 0) mask[base + c] = 1;
    }
  }
  return mask;
}

/** k = ceil(fraction·C), at least 1; throws a RangeError for a fraction outside (0, 1]. */
export function kwtaK(channels: number, fraction: number): number {
  if (!(fraction > 0 && fraction <= 1)) {
    throw new RangeError(`k-WTA fraction must be in (0, 1], got ${fraction}`);
  }
  // The small epsilon keeps 0.25·8 = 2 from becoming 3 through floating-point error.
  return Math.max(1, Math.min(channels, Math.ceil(fraction * channels - 1e-9)));
}
