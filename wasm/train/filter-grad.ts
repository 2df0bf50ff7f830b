// AssemblyScript: the gradient of a convolution with respect to its filter, as one blocked matrix
// product that reads the input in place (core/train/backend/conv2d-backprop-filter.ts). The
// product through tfjs's BatchMatMul packs dy, the large operand, on every call; this needs no
// packing and no im2col matrix.

/**
 * Copies x [N, H, W, C] into xp [N, Hp, Wp, C] at row `top`, column `left`, zeros elsewhere
 * (Hp ≥ top + H, Wp ≥ left + W), so that every filter tap of every output position reads inside
 * xp and padding reads zeros.
 */
export function padCopy(
  x: usize,
  xp: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  hp: i32,
  wp: i32,
  top: i32,
  left: i32
): void {
  const pix = (<usize>channels) << 2;
  memory.fill(xp, 0, <usize>batch * <usize>hp * <usize>wp * pix);
  for (let n: i32 = 0; n < batch; n++) {
    for (let h: i32 = 0; h < inH; h++) {
      memory.copy(
        xp + (<usize>((n * hp + h + top) * wp + left)) * pix,
        x + (<usize>((n * inH + h) * inW)) * pix,
        <usize>inW * pix
      );
    }
  }
}

/**
 * dw [K, O] += Σ over positions m of A[m, k]·dy[m, o], where A[m, k] is the float32 at
 * xp + mbase[m] + koff[k] (byte offsets, int32 arrays of M and K entries) and dy is [M, O].
 * Tiles of 3 k × 16 o stay in twelve registers while m runs over a chunk of `chunk` positions
 * (small enough for that chunk of dy to stay in cache); each tile's chunk sum is then added to dw,
 * so every element is summed in the same order whatever the sizes. K % 3 == 0 and O % 16 == 0;
 * dw must start zeroed.
 */
export function filterGrad(
  xp: usize,
  dy: usize,
  dw: usize,
  koff: usize,
  mbase: usize,
  positions: i32,
  k: i32,
  o: i32,
  chunk: i32
): void {
  const rowBytes = (<usize>o) << 2;
  for (let m0: i32 = 0; m0 < positions; m0 += chunk) {
    const m1 = min<i32>(positions, m0 + chunk);
    for (let kb: i32 = 0; kb < k; kb += 3) {
      const o0 = <usize>load<i32>(koff + ((<usize>kb) << 2));
      const o1 = <usize>load<i32>(koff + ((<usize>kb) << 2), 4);
      const o2 = <usize>load<i32>(koff + ((<usize>kb) << 2), 8);
      for (let ob: i32 = 0; ob < o; ob += 16) {
        let c00 = f32x4.splat(0);
        let c01 = f32x4.splat(0);
        let c02 = f32x4.splat(0);
        let c03 = f32x4.splat(0);
        let c10 = f32x4.splat(0);
        let c11 = f32x4.splat(0);
        let c12 = f32x4.splat(0);
        let c13 = f32x4.splat(0);
        let c20 = f32x4.splat(0);
        let c21 = f32x4.splat(0);
        let c22 = f32x4.splat(0);
        let c23 = f32x4.splat(0);
        let d = dy + <usize>m0 * rowBytes + ((<usize>ob) << 2);
        for (let m = m0; m < m1; m++, d += rowBytes) {
          const base = xp + <usize>load<i32>(mbase + ((<usize>m) << 2));
          const a0 = v128.load32_splat(base + o0);
          const a1 = v128.load32_splat(base + o1);
          const a2 = v128.load32_splat(base + o2);
          const b0 = v128.load(d);
          const b1 = v128.load(d, 16);
          const b2 = v128.load(d, 32);
          const b3 = v128.load(d, 48);
          c00 = f32x4.add(c00, f32x4.mul(a0, b0));
          c01 = f32x4.add(c01, f32x4.mul(a0, b1));
          c02 = f32x4.add(c02, f32x4.mul(a0, b2));
          c03 = f32x4.add(c03, f32x4.mul(a0, b3));
          c10 = f32x4.add(c10, f32x4.mul(a1, b0));
          c11 = f32x4.add(c11, f32x4.mul(a1, b1));
          c12 = f32x4.add(c12, f32x4.mul(a1, b2));
          c13 = f32x4.add(c13, f32x4.mul(a1, b3));
          c20 = f32x4.add(c20, f32x4.mul(a2, b0));
          c21 = f32x4.add(c21, f32x4.mul(a2, b1));
          c22 = f32x4.add(c22, f32x4.mul(a2, b2));
          c23 = f32x4.add(c23, f32x4.mul(a2, b3));
        }
        const p = dw + <usize>kb * rowBytes + ((<usize>ob) << 2);
        v128.store(p, f32x4.add(v128.load(p), c00));
        v128.store(p, f32x4.add(v128.load(p, 16), c01), 16);
        v128.store(p, f32x4.add(v128.load(p, 32), c02), 32);
        v128.store(p, f32x4.add(v128.load(p, 48), c03), 48);
        const q = p + rowBytes;
        v128.store(q, f32x4.add(v128.load(q), c10));
        v128.store(q, f32x4.add(v128.load(q, 16), c11), 16);
        v128.store(q, f32x4.add(v128.load(q, 32), c12), 32);
        v128.store(q, f32x4.add(v128.load(q, 48), c13), 48);
        const r = q + rowBytes;
        v128.store(r, f32x4.add(v128.load(r), c20));
        v128.store(r, f32x4.add(v128.load(r, 16), c21), 16);
        v128.store(r, f32x4.add(v128.load(r, 32), c22), 32);
        v128.store(r, f32x4.add(v128.load(r, 48), c23), 48);
      }
    }
  }
}
