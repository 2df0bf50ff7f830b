// AssemblyScript: the integer convolution (core/engine/kernels/conv.ts) with 128-bit SIMD, in
// gather form so the accumulators of 16–32 output channels stay in registers. Compiled with the other
// files of this folder by scripts/build-wasm.mjs into core/engine/kernels/engine-wasm.ts.
// Arrays are int32 (bias int64), addressed in bytes; the caller lays them out in this memory.

/**
 * y = requant(conv(x)) for one image.
 * 1. Per input pixel p, the non-zero activations are listed once: nzCount[p] of them, value in
 *    nzVal and the byte offset of their weight row (channel · outCP · 4) in nzOff.
 * 2. Per output pixel q and block of 32 (or 16) output channels, the taps qStart[q] … qStart[q+1]
 *    give the input pixel (tIn) and the byte offset of that kernel position's weights (tW); every
 *    listed non-zero is multiplied into eight (or four) i32x4 accumulators. Weights are [kh, kw, inC, outCP], outCP
 *    being outC rounded up to 16 (the padding is zero).
 * 3. The accumulators are requantized exactly as core/engine/kernels/requantize.ts does (true
 *    64-bit product, round half up, clamp to 0 … maxCode); non-zero codes are counted and each
 *    channel that fired is flagged in `active`.
 * stats[0] = input non-zeros, stats[1] = output non-zeros. Returns the executed MACs.
 */
export function conv(
  x: usize,
  inPixels: i32,
  inC: i32,
  nzCount: usize,
  nzVal: usize,
  nzOff: usize,
  qStart: usize,
  tIn: usize,
  tW: usize,
  outPixels: i32,
  w: usize,
  outC: i32,
  outCP: i32,
  acc: usize,
  m: usize,
  shift: usize,
  bias: usize,
  maxCode: i32,
  y: usize,
  active: usize,
  stats: usize
): i32 {
  let inputNonZero: i32 = 0;
  const rowBytes = outCP << 2;
  for (let p: i32 = 0; p < inPixels; p++) {
    const base = <usize>(p * inC);
    let n: i32 = 0;
    for (let c: i32 = 0; c < inC; c++) {
      const a = load<i32>(x + ((base + <usize>c) << 2));
      if (a != 0) {
        const at = (base + <usize>n) << 2;
        store<i32>(nzVal + at, a);
        store<i32>(nzOff + at, c * rowBytes);
        n++;
      }
    }
    store<i32>(nzCount + ((<usize>p) << 2), n);
    inputNonZero += n;
  }

  let executed: i32 = 0;
  let outputNonZero: i32 = 0;
  for (let q: i32 = 0; q < outPixels; q++) {
    const t0 = load<i32>(qStart + ((<usize>q) << 2));
    const t1 = load<i32>(qStart + ((<usize>(q + 1)) << 2));
    for (let t = t0; t < t1; t++) {
      executed += load<i32>(nzCount + ((<usize>load<i32>(tIn + ((<usize>t) << 2))) << 2)) * outC;
    }
    let b: i32 = 0;
    // Blocks of 32 output channels: eight i32x4 accumulators (V8 keeps them in registers).
    for (; b + 32 <= outCP; b += 32) {
      let a0 = i32x4.splat(0);
      let a1 = i32x4.splat(0);
      let a2 = i32x4.splat(0);
      let a3 = i32x4.splat(0);
      let a4 = i32x4.splat(0);
      let a5 = i32x4.splat(0);
      let a6 = i32x4.splat(0);
      let a7 = i32x4.splat(0);
      const blockBytes = (<usize>b) << 2;
      for (let t = t0; t < t1; t++) {
        const p = load<i32>(tIn + ((<usize>t) << 2));
        const n = load<i32>(nzCount + ((<usize>p) << 2));
        const wTap = w + <usize>load<i32>(tW + ((<usize>t) << 2)) + blockBytes;
        const list = (<usize>(p * inC)) << 2;
        for (let j: i32 = 0; j < n; j++) {
          const at = list + ((<usize>j) << 2);
          const av = i32x4.splat(load<i32>(nzVal + at));
          const wp = wTap + <usize>load<i32>(nzOff + at);
          a0 = i32x4.add(a0, i32x4.mul(av, v128.load(wp)));
          a1 = i32x4.add(a1, i32x4.mul(av, v128.load(wp, 16)));
          a2 = i32x4.add(a2, i32x4.mul(av, v128.load(wp, 32)));
          a3 = i32x4.add(a3, i32x4.mul(av, v128.load(wp, 48)));
          a4 = i32x4.add(a4, i32x4.mul(av, v128.load(wp, 64)));
          a5 = i32x4.add(a5, i32x4.mul(av, v128.load(wp, 80)));
          a6 = i32x4.add(a6, i32x4.mul(av, v128.load(wp, 96)));
          a7 = i32x4.add(a7, i32x4.mul(av, v128.load(wp, 112)));
        }
      }
      const ab = acc + blockBytes;
      v128.store(ab, a0);
      v128.store(ab, a1, 16);
      v128.store(ab, a2, 32);
      v128.store(ab, a3, 48);
      v128.store(ab, a4, 64);
      v128.store(ab, a5, 80);
      v128.store(ab, a6, 96);
      v128.store(ab, a7, 112);
    }
    // The last 16 when outCP is an odd multiple of 16.
    for (; b < outCP; b += 16) {
      let a0 = i32x4.splat(0);
      let a1 = i32x4.splat(0);
      let a2 = i32x4.splat(0);
      let a3 = i32x4.splat(0);
      const blockBytes = (<usize>b) << 2;
      for (let t = t0; t < t1; t++) {
        const p = load<i32>(tIn + ((<usize>t) << 2));
        const n = load<i32>(nzCount + ((<usize>p) << 2));
        const wTap = w + <usize>load<i32>(tW + ((<usize>t) << 2)) + blockBytes;
        const list = (<usize>(p * inC)) << 2;
        for (let j: i32 = 0; j < n; j++) {
          const at = list + ((<usize>j) << 2);
          const av = i32x4.splat(load<i32>(nzVal + at));
          const wp = wTap + <usize>load<i32>(nzOff + at);
          a0 = i32x4.add(a0, i32x4.mul(av, v128.load(wp)));
          a1 = i32x4.add(a1, i32x4.mul(av, v128.load(wp, 16)));
          a2 = i32x4.add(a2, i32x4.mul(av, v128.load(wp, 32)));
          a3 = i32x4.add(a3, i32x4.mul(av, v128.load(wp, 48)));
        }
      }
      const ab = acc + blockBytes;
      v128.store(ab, a0);
      v128.store(ab, a1, 16);
      v128.store(ab, a2, 32);
      v128.store(ab, a3, 48);
    }
    const yq = y + ((<usize>(q * outC)) << 2);
    for (let o: i32 = 0; o < outC; o++) {
      const c = (<usize>o) << 2;
      const s = load<i32>(shift + c);
      const v: i64 =
        <i64>load<i32>(acc + c) * <i64>load<i32>(m + c) + load<i64>(bias + ((<usize>o) << 3));
      let r: i64 = s > 0 ? (v + ((<i64>1) << (<i64>(s - 1)))) >> (<i64>s) : v << (<i64>-s);
      if (r < 0) r = 0;
      if (r > <i64>maxCode) r = <i64>maxCode;
      store<i32>(yq + c, <i32>r);
      if (r != 0) {
        outputNonZero++;
        store<i32>(active + c, 1);
      }
    }
  }
  store<i32>(stats, inputNonZero);
  store<i32>(stats, outputNonZero, 4);
  return executed;
}
