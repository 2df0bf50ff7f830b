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
