// AssemblyScript: 2×2 / stride-2 max pooling without padding (core/engine/kernels/max-pool.ts),
// four channels per instruction when the channel count is a multiple of 4.

/**
 * y[oh, ow, k] = max of x over the 2×2 window at (2·oh, 2·ow); x is [inH, inW, c], y is
 * [outH, outW, c] (outH·2 ≤ inH, outW·2 ≤ inW). Returns the number of non-zero outputs.
 */
export function maxPool2(x: usize, inW: i32, c: i32, outH: i32, outW: i32, y: usize): i32 {
  const row = <usize>(inW * c) << 2;
  const pix = <usize>c << 2;
  let nonZero: i32 = 0;
  const zero = i32x4.splat(0);
  let nz = i32x4.splat(0);
  for (let oh: i32 = 0; oh < outH; oh++) {
    for (let ow: i32 = 0; ow < outW; ow++) {
      const a = x + ((<usize>((2 * oh * inW + 2 * ow) * c)) << 2);
      const o = y + ((<usize>((oh * outW + ow) * c)) << 2);
      let k: i32 = 0;
      for (; k + 4 <= c; k += 4) {
        const off = (<usize>k) << 2;
        const m = i32x4.max_s(
          i32x4.max_s(v128.load(a + off), v128.load(a + pix + off)),
          i32x4.max_s(v128.load(a + row + off), v128.load(a + row + pix + off))
        );
        v128.store(o + off, m);
        // Lanes that are non-zero are −1 after the comparison: subtracting counts them.
        nz = i32x4.sub(nz, i32x4.ne(m, zero));
      }
      for (; k < c; k++) {
        const off = (<usize>k) << 2;
        const p = load<i32>(a + off);
        const q = load<i32>(a + pix + off);
        const r = load<i32>(a + row + off);
        const s = load<i32>(a + row + pix + off);
        const m1 = p > q ? p : q;
        const m2 = r > s ? r : s;
        const m = m1 > m2 ? m1 : m2;
        store<i32>(o + off, m);
        if (m != 0) nonZero++;
      }
    }
  }
  return (
    nonZero +
    i32x4.extract_lane(nz, 0) +
    i32x4.extract_lane(nz, 1) +
    i32x4.extract_lane(nz, 2) +
    i32x4.extract_lane(nz, 3)
  );
}
