// AssemblyScript: optimizer updates for training (core/train/optimizer.ts), one pass per variable.
// Each is the tfjs optimizer's own sequence of float32 operations, so the results are identical.

/**
 * Adam (Kingma & Ba 2015) as tfjs 4.22 computes it, for n float32 values:
 * m' = m·β1 + g·(1 − β1), v' = v·β2 + g²·(1 − β2),
 * w' = (m' / (1 − β1ᵗ)) / (sqrt(v' / (1 − β2ᵗ)) + ε) · (−lr) + w.
 * `oneMinusB1` etc. are passed as the float32 values tfjs uses.
 */
export function adamUpdate(
  w: usize,
  g: usize,
  m: usize,
  v: usize,
  n: i32,
  beta1: f32,
  oneMinusBeta1: f32,
  beta2: f32,
  oneMinusBeta2: f32,
  oneMinusAccBeta1: f32,
  oneMinusAccBeta2: f32,
  epsilon: f32,
  negLearningRate: f32,
  wOut: usize,
  mOut: usize,
  vOut: usize
): void {
  const b1 = f32x4.splat(beta1);
  const c1 = f32x4.splat(oneMinusBeta1);
  const b2 = f32x4.splat(beta2);
  const c2 = f32x4.splat(oneMinusBeta2);
  const d1 = f32x4.splat(oneMinusAccBeta1);
  const d2 = f32x4.splat(oneMinusAccBeta2);
  const eps = f32x4.splat(epsilon);
  const lr = f32x4.splat(negLearningRate);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const off = (<usize>i) << 2;
    const gv = v128.load(g + off);
    const m1 = f32x4.add(f32x4.mul(v128.load(m + off), b1), f32x4.mul(gv, c1));
    const v1 = f32x4.add(f32x4.mul(v128.load(v + off), b2), f32x4.mul(f32x4.mul(gv, gv), c2));
    const step = f32x4.div(f32x4.div(m1, d1), f32x4.add(f32x4.sqrt(f32x4.div(v1, d2)), eps));
    v128.store(wOut + off, f32x4.add(f32x4.mul(step, lr), v128.load(w + off)));
    v128.store(mOut + off, m1);
    v128.store(vOut + off, v1);
  }
  for (; i < n; i++) {
    const off = (<usize>i) << 2;
    const gv = load<f32>(g + off);
    const m1 = load<f32>(m + off) * beta1 + gv * oneMinusBeta1;
    const v1 = load<f32>(v + off) * beta2 + gv * gv * oneMinusBeta2;
    const step = m1 / oneMinusAccBeta1 / (sqrt<f32>(v1 / oneMinusAccBeta2) + epsilon);
    store<f32>(wOut + off, step * negLearningRate + load<f32>(w + off));
    store<f32>(mOut + off, m1);
    store<f32>(vOut + off, v1);
  }
}

/**
 * SGD with momentum as tfjs 4.22 computes it (not Nesterov): a' = μ·a + g, w' = (−lr)·a' + w,
 * for n float32 values.
 */
export function momentumUpdate(
  w: usize,
  g: usize,
  a: usize,
  n: i32,
  momentum: f32,
  negLearningRate: f32,
  wOut: usize,
  aOut: usize
): void {
  const mu = f32x4.splat(momentum);
  const lr = f32x4.splat(negLearningRate);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) {
    const off = (<usize>i) << 2;
    const a1 = f32x4.add(f32x4.mul(mu, v128.load(a + off)), v128.load(g + off));
    v128.store(wOut + off, f32x4.add(f32x4.mul(lr, a1), v128.load(w + off)));
    v128.store(aOut + off, a1);
  }
  for (; i < n; i++) {
    const off = (<usize>i) << 2;
    const a1 = momentum * load<f32>(a + off) + load<f32>(g + off);
    store<f32>(wOut + off, negLearningRate * a1 + load<f32>(w + off));
    store<f32>(aOut + off, a1);
  }
}
