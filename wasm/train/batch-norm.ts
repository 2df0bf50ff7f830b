// AssemblyScript: batch normalization in training mode over [M, C] float32 (M = N·H·W locations,
// channel fastest), forward and backward (core/train/backend/batch-norm-kernel.ts).
// Per-channel sums run in float32 over blocks of at most BLOCK rows, each block's sums then added
// in float64, so accuracy does not fall with the batch size. `acc` is scratch for C float32, `sum`
// for C float64; C must be a multiple of 4 except on the scalar tail.

const BLOCK: i32 = 64;

/**
 * Σ over rows per channel into sum (f64, zeroed here) of x (mode 0), (x − center)² (mode 1) or
 * dy·(x − center) (mode 2). Inlined with a constant mode, so each caller gets its own loop.
 */
@inline
function channelSums(
  x: usize,
  dy: usize,
  rows: i32,
  channels: i32,
  center: usize,
  mode: i32,
  acc: usize,
  sum: usize
): void {
  const rowBytes = (<usize>channels) << 2;
  for (let c: i32 = 0; c < channels; c++) store<f64>(sum + ((<usize>c) << 3), 0);
  for (let r0: i32 = 0; r0 < rows; r0 += BLOCK) {
    const r1 = min<i32>(rows, r0 + BLOCK);
    for (let c: i32 = 0; c < channels; c++) store<f32>(acc + ((<usize>c) << 2), 0);
    for (let r = r0; r < r1; r++) {
      const xr = x + <usize>r * rowBytes;
      const dr = dy + <usize>r * rowBytes;
      let c: i32 = 0;
      for (; c + 4 <= channels; c += 4) {
        const off = (<usize>c) << 2;
        const v = v128.load(xr + off);
        let term: v128;
        if (mode == 0) term = v;
        else if (mode == 1) {
          const d = f32x4.sub(v, v128.load(center + off));
          term = f32x4.mul(d, d);
        } else {
          term = f32x4.mul(v128.load(dr + off), f32x4.sub(v, v128.load(center + off)));
        }
        v128.store(acc + off, f32x4.add(v128.load(acc + off), term));
      }
      for (; c < channels; c++) {
        const off = (<usize>c) << 2;
        const v = load<f32>(xr + off);
        let term: f32;
        if (mode == 0) term = v;
        else if (mode == 1) {
          const d = v - load<f32>(center + off);
          term = d * d;
        } else term = load<f32>(dr + off) * (v - load<f32>(center + off));
        store<f32>(acc + off, load<f32>(acc + off) + term);
      }
    }
    for (let c: i32 = 0; c < channels; c++) {
      const s = sum + ((<usize>c) << 3);
      store<f64>(s, load<f64>(s) + <f64>load<f32>(acc + ((<usize>c) << 2)));
    }
  }
}

/**
 * mean[c] and (biased) variance[c] of x, then y = (x − mean)·scale + beta with
 * scale = gamma·1/sqrt(variance + eps). `scale` is scratch for C float32.
 */
export function batchNormForward(
  x: usize,
  rows: i32,
  channels: i32,
  gamma: usize,
  beta: usize,
  eps: f32,
  y: usize,
  mean: usize,
  variance: usize,
  scale: usize,
  acc: usize,
  sum: usize
): void {
  channelSums(x, 0, rows, channels, 0, 0, acc, sum);
  for (let c: i32 = 0; c < channels; c++) {
    store<f32>(mean + ((<usize>c) << 2), <f32>(load<f64>(sum + ((<usize>c) << 3)) / <f64>rows));
  }
  channelSums(x, 0, rows, channels, mean, 1, acc, sum);
  for (let c: i32 = 0; c < channels; c++) {
    const off = (<usize>c) << 2;
    const v = <f32>(load<f64>(sum + ((<usize>c) << 3)) / <f64>rows);
    store<f32>(variance + off, v);
    store<f32>(scale + off, (<f32>1 / sqrt<f32>(v + eps)) * load<f32>(gamma + off));
  }
  const rowBytes = (<usize>channels) << 2;
  for (let r: i32 = 0; r < rows; r++) {
    const xr = x + <usize>r * rowBytes;
    const yr = y + <usize>r * rowBytes;
    let c: i32 = 0;
    for (; c + 4 <= channels; c += 4) {
      const off = (<usize>c) << 2;
      const d = f32x4.sub(v128.load(xr + off), v128.load(mean + off));
      v128.store(yr + off, f32x4.add(f32x4.mul(d, v128.load(scale + off)), v128.load(beta + off)));
    }
    for (; c < channels; c++) {
      const off = (<usize>c) << 2;
      const d = load<f32>(xr + off) - load<f32>(mean + off);
      store<f32>(yr + off, d * load<f32>(scale + off) + load<f32>(beta + off));
    }
  }
}

/**
 * Gradients of y = (x − mean)/sqrt(variance + eps)·gamma + beta, with mean and variance the
 * batch's own: dbeta = Σ dy, dgamma = Σ dy·x̂, and
 * dx = gamma/σ · (dy − dbeta/M − x̂·dgamma/M), σ = sqrt(variance + eps), x̂ = (x − mean)/σ.
 * `coef` is scratch for 3·C float32.
 */
export function batchNormBackward(
  dy: usize,
  x: usize,
  rows: i32,
  channels: i32,
  mean: usize,
  variance: usize,
  gamma: usize,
  eps: f32,
  dx: usize,
  dgamma: usize,
  dbeta: usize,
  coef: usize,
  acc: usize,
  sum: usize
): void {
  const cBytes = (<usize>channels) << 2;
  const a = coef;
  const b = coef + cBytes;
  const d = coef + 2 * cBytes;
  channelSums(dy, 0, rows, channels, 0, 0, acc, sum);
  for (let c: i32 = 0; c < channels; c++) {
    store<f32>(dbeta + ((<usize>c) << 2), <f32>load<f64>(sum + ((<usize>c) << 3)));
  }
  // Σ dy·(x − mean), then scaled by 1/σ into dgamma.
  channelSums(x, dy, rows, channels, mean, 2, acc, sum);
  const m = <f64>rows;
  for (let c: i32 = 0; c < channels; c++) {
    const off = (<usize>c) << 2;
    const inv = 1 / Math.sqrt(<f64>(load<f32>(variance + off) + eps));
    const sdx = load<f64>(sum + ((<usize>c) << 3));
    const g = <f64>load<f32>(gamma + off);
    const db = <f64>load<f32>(dbeta + off);
    store<f32>(dgamma + off, <f32>(sdx * inv));
    // dx = a·dy + b·(x − mean) + d
    store<f32>(a + off, <f32>(g * inv));
    store<f32>(b + off, <f32>(-g * inv * inv * inv * (sdx / m)));
    store<f32>(d + off, <f32>(-g * inv * (db / m)));
  }
  for (let r: i32 = 0; r < rows; r++) {
    const o = <usize>r * cBytes;
    let c: i32 = 0;
    for (; c + 4 <= channels; c += 4) {
      const off = (<usize>c) << 2;
      const centered = f32x4.sub(v128.load(x + o + off), v128.load(mean + off));
      const t = f32x4.add(
        f32x4.mul(v128.load(a + off), v128.load(dy + o + off)),
        f32x4.mul(v128.load(b + off), centered)
      );
      v128.store(dx + o + off, f32x4.add(t, v128.load(d + off)));
    }
    for (; c < channels; c++) {
      const off = (<usize>c) << 2;
      const centered = load<f32>(x + o + off) - load<f32>(mean + off);
      const t = load<f32>(a + off) * load<f32>(dy + o + off) + load<f32>(b + off) * centered;
      store<f32>(dx + o + off, t + load<f32>(d + off));
    }
  }
}
