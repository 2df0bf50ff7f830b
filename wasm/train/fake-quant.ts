// AssemblyScript: fake quantization of activations and inputs for training
// (core/train/backend/fake-quant-kernels.ts). The arithmetic is the tf-op reference's, step by step
// in float32 (divide, round half to even, multiply), so both give the same values.

/** y = round(clamp(x, 0, top) / step) · step for n float32 values. */
export function fakeQuantUnsigned(x: usize, n: i32, top: f32, step: f32, y: usize): void {
  const vzero = f32x4.splat(0);
  const vmax = f32x4.splat(top);
  const vstep = f32x4.splat(step);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const off = (<usize>i) << 2;
    const c = f32x4.min(f32x4.max(v128.load(x + off), vzero), vmax);
    v128.store(y + off, f32x4.mul(f32x4.nearest(f32x4.div(c, vstep)), vstep));
  }
  for (; i < n; i++) {
    const off = (<usize>i) << 2;
    const c = min<f32>(max<f32>(load<f32>(x + off), 0), top);
    store<f32>(y + off, nearest<f32>(c / step) * step);
  }
}

/**
 * Asymmetric (affine) quantization: codes = clamp(round(x / scale) + zeroPoint, 0, maxCode),
 * y = (codes − zeroPoint) · scale, for n float32 values.
 */
export function fakeQuantAffine(
  x: usize,
  n: i32,
  scale: f32,
  zeroPoint: f32,
  maxCode: f32,
  y: usize
): void {
  const vscale = f32x4.splat(scale);
  const vzp = f32x4.splat(zeroPoint);
  const vzero = f32x4.splat(0);
  const vmax = f32x4.splat(maxCode);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const off = (<usize>i) << 2;
    const codes = f32x4.add(f32x4.nearest(f32x4.div(v128.load(x + off), vscale)), vzp);
    const clamped = f32x4.min(f32x4.max(codes, vzero), vmax);
    v128.store(y + off, f32x4.mul(f32x4.sub(clamped, vzp), vscale));
  }
  for (; i < n; i++) {
    const off = (<usize>i) << 2;
    const codes = nearest<f32>(load<f32>(x + off) / scale) + zeroPoint;
    const clamped = min<f32>(max<f32>(codes, 0), maxCode);
    store<f32>(y + off, (clamped - zeroPoint) * scale);
  }
}
