// AssemblyScript: elementwise gradient masks for training (straight-through and winner masks).

/** dx[i] = dy[i] where ref[i] > 0, else 0; n float32 values. The k-WTA and ReLU gradient. */
export function passWherePositive(dy: usize, ref: usize, n: i32, dx: usize): void {
  const zero = f32x4.splat(0);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const off = (<usize>i) << 2;
    v128.store(dx + off, v128.and(v128.load(dy + off), f32x4.gt(v128.load(ref + off), zero)));
  }
  for (; i < n; i++) {
    const off = (<usize>i) << 2;
    store<f32>(dx + off, load<f32>(ref + off) > 0 ? load<f32>(dy + off) : 0);
  }
}

/**
 * dx[i] = dy[i] where lo ≤ x[i] ≤ hi, else 0; n float32 values. The clipped straight-through
 * gradient of a quantizer whose representable range is [lo, hi].
 */
export function passInRange(dy: usize, x: usize, n: i32, lo: f32, hi: f32, dx: usize): void {
  const vlo = f32x4.splat(lo);
  const vhi = f32x4.splat(hi);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const off = (<usize>i) << 2;
    const v = v128.load(x + off);
    const inside = v128.and(f32x4.ge(v, vlo), f32x4.le(v, vhi));
    v128.store(dx + off, v128.and(v128.load(dy + off), inside));
  }
  for (; i < n; i++) {
    const off = (<usize>i) << 2;
    const v = load<f32>(x + off);
    store<f32>(dx + off, v >= lo && v <= hi ? load<f32>(dy + off) : 0);
  }
}
