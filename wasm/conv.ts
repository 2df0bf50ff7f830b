// AssemblyScript: the hot loop of the integer convolution (core/engine/kernels/conv.ts) with
// 128-bit SIMD. Compiled by scripts/build-wasm.mjs into core/engine/kernels/conv-wasm.ts.
// All arrays are int32, addressed in bytes; the caller lays them out in this module's memory.

/**
 * For every pixel p and input channel c with a non-zero activation a = x[p·inC + c], and every
 * tap t in start[p] … start[p+1]: acc[out[t] + o] += a · w[weight[t] + c·outC + o] for o < outC.
 * Returns the number of multiply-accumulates executed.
 */
export function scatter(
  x: usize,
  pixels: i32,
  inC: i32,
  start: usize,
  outOff: usize,
  wOff: usize,
  w: usize,
  acc: usize,
  outC: i32
): i32 {
  let executed: i32 = 0;
  const vecEnd = outC & ~3;
  for (let p: i32 = 0; p < pixels; p++) {
    const t0 = load<i32>(start + ((<usize>p) << 2));
    const t1 = load<i32>(start + ((<usize>(p + 1)) << 2));
    if (t0 == t1) continue;
    for (let c: i32 = 0; c < inC; c++) {
      const a = load<i32>(x + ((<usize>(p * inC + c)) << 2));
      if (a == 0) continue;
      const av = i32x4.splat(a);
      const cOff = c * outC;
      for (let t = t0; t < t1; t++) {
        const oBase = acc + ((<usize>load<i32>(outOff + ((<usize>t) << 2))) << 2);
        const wBase = w + ((<usize>(load<i32>(wOff + ((<usize>t) << 2)) + cOff)) << 2);
        let o: i32 = 0;
        for (; o < vecEnd; o += 4) {
          const off = (<usize>o) << 2;
          v128.store(
            oBase + off,
            i32x4.add(v128.load(oBase + off), i32x4.mul(av, v128.load(wBase + off)))
          );
        }
        for (; o < outC; o++) {
          const off = (<usize>o) << 2;
          store<i32>(oBase + off, load<i32>(oBase + off) + a * load<i32>(wBase + off));
        }
      }
      executed += (t1 - t0) * outC;
    }
  }
  return executed;
}

/**
 * Requantizes acc[i] (channel c = i mod outC) exactly as core/engine/kernels/requantize.ts does,
 * with a true 64-bit product: q = clamp(floor((acc·m + bias + 2^(s−1)) / 2^s), 0, maxCode).
 * `bias` holds one int64 per channel.
 */
export function requant(
  acc: usize,
  count: i32,
  outC: i32,
  m: usize,
  shift: usize,
  bias: usize,
  maxCode: i32,
  out: usize
): void {
  for (let i: i32 = 0; i < count; i++) {
    const c = <usize>(i % outC);
    const s = load<i32>(shift + (c << 2));
    const v: i64 =
      <i64>load<i32>(acc + ((<usize>i) << 2)) * <i64>load<i32>(m + (c << 2)) +
      load<i64>(bias + (c << 3));
    let q: i64 = s > 0 ? (v + ((<i64>1) << (<i64>(s - 1)))) >> (<i64>s) : v << (<i64>-s);
    if (q < 0) q = 0;
    if (q > <i64>maxCode) q = <i64>maxCode;
    store<i32>(out + ((<usize>i) << 2), <i32>q);
  }
}
