// AssemblyScript: the gradient of max pooling (core/train/backend/max-pool-grad.ts).

/**
 * Adds dy ([N, outH, outW, C]) onto dx ([N, H, W, C], zeroed by the caller) at the first largest
 * input of each pooling window of x ([N, H, W, C]), scanning the window row by row — the cpu
 * backend's rule. NHWC float32; windows are filterH × filterW with the given strides and top /
 * left padding.
 */
export function maxPoolGrad(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32,
  filterH: i32,
  filterW: i32,
  strideH: i32,
  strideW: i32,
  top: i32,
  left: i32
): void {
  let o: usize = dy;
  for (let n: i32 = 0; n < batch; n++) {
    for (let oh: i32 = 0; oh < outH; oh++) {
      const h0 = max<i32>(0, oh * strideH - top);
      const h1 = min<i32>(inH, oh * strideH - top + filterH);
      for (let ow: i32 = 0; ow < outW; ow++) {
        const w0 = max<i32>(0, ow * strideW - left);
        const w1 = min<i32>(inW, ow * strideW - left + filterW);
        for (let c: i32 = 0; c < channels; c++, o += 4) {
          let best: f32 = -Infinity;
          let at: isize = -1;
          for (let h = h0; h < h1; h++) {
            for (let w = w0; w < w1; w++) {
              const i = <isize>(((n * inH + h) * inW + w) * channels + c);
              const v = load<f32>(x + (<usize>i << 2));
              if (v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) {
            const p = dx + (<usize>at << 2);
            store<f32>(p, load<f32>(p) + load<f32>(o));
          }
        }
      }
    }
  }
}

/**
 * maxPoolGrad for 2×2 windows at stride 2 without padding, four channels per instruction: the
 * windows do not overlap, so each input position gets dy of its window where it is the first
 * largest (row-major: top-left, top-right, bottom-left, bottom-right) and is otherwise left as
 * the caller zeroed it.
 */
export function maxPoolGrad2x2(
  x: usize,
  dy: usize,
  dx: usize,
  batch: i32,
  inH: i32,
  inW: i32,
  channels: i32,
  outH: i32,
  outW: i32
): void {
  const pix = (<usize>channels) << 2;
  const row = <usize>inW * pix;
  const vectorEnd = channels & ~3;
  let o: usize = dy;
  for (let n: i32 = 0; n < batch; n++) {
    for (let oh: i32 = 0; oh < outH; oh++) {
      for (let ow: i32 = 0; ow < outW; ow++) {
        const at = (<usize>((n * inH + 2 * oh) * inW + 2 * ow)) * pix;
        const a = x + at;
        const d = dx + at;
        let c: i32 = 0;
        for (; c < vectorEnd; c += 4, o += 16) {
          const off = (<usize>c) << 2;
          const p = v128.load(a + off);
          const q = v128.load(a + pix + off);
          const r = v128.load(a + row + off);
          const s = v128.load(a + row + pix + off);
          const m = f32x4.max(f32x4.max(p, q), f32x4.max(r, s));
          const g = v128.load(o);
          const mp = f32x4.eq(p, m);
          const mq = v128.andnot(f32x4.eq(q, m), mp);
          const taken = v128.or(mp, mq);
          const mr = v128.andnot(f32x4.eq(r, m), taken);
          const ms = v128.not(v128.or(taken, mr));
          v128.store(d + off, v128.and(g, mp));
          v128.store(d + pix + off, v128.and(g, mq));
          v128.store(d + row + off, v128.and(g, mr));
          v128.store(d + row + pix + off, v128.and(g, ms));
        }
        for (; c < channels; c++, o += 4) {
          const off = (<usize>c) << 2;
          const p = load<f32>(a + off);
          const q = load<f32>(a + pix + off);
          const r = load<f32>(a + row + off);
          const s = load<f32>(a + row + pix + off);
          let best = p;
          let where = off;
          if (q > best) {
            best = q;
            where = pix + off;
          }
          if (r > best) {
            best = r;
            where = row + off;
          }
          if (s > best) where = row + pix + off;
          store<f32>(d + where, load<f32>(o));
        }
      }
    }
  }
}
