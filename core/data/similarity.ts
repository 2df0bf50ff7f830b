/**
 * Whether two recordings are the same take: the peak of their normalised cross-correlation over
 * lags up to ±300 ms, on the waveforms decimated to 8 kHz (mean of 2 samples at 16 kHz; at 4 kHz a
 * fractional-sample offset already cost the same take its match), with the peak looked for between
 * samples too. The lag range is wide because the 1 s windows cut from two copies of a longer take
 * can start up to its extra length apart (a 1.14 s take: 140 ms). The same
 * take recorded twice peaks near 1 whatever the offset; two takes of the same word, even by one
 * voice, stay far lower because their phases differ (log-mel features don't separate these: a
 * 5 ms shift already lowers their correlation to 0.93 while two voices can reach 0.999).
 */

/** In-place radix-2 complex FFT of length re.length (a power of two); `inverse` unscaled. */
function fft(re: Float64Array, im: Float64Array, inverse: boolean): void {
  const n = re.length;
  for (let i = 1, j = 0; i < n; i++) {
    let bit = n >> 1;
    for (; j & bit; bit >>= 1) j ^= bit;
    j ^= bit;
    if (i < j) {
      [re[i], re[j]] = [re[j], re[i]];
      [im[i], im[j]] = [im[j], im[i]];
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const angle = ((inverse ? 2 : -2) * Math.PI) / size;
    const wr = Math.cos(angle);
    const wi = Math.sin(angle);
    for (let s = 0; s < n; s += size) {
      let cr = 1;
      let ci = 0;
      for (let k = 0; k < size / 2; k++) {
        const a = s + k;
        const b = a + size / 2;
        const tr = re[b] * cr - im[b] * ci;
        const ti = re[b] * ci + im[b] * cr;
        re[b] = re[a] - tr;
        im[b] = im[a] - ti;
        re[a] += tr;
        im[a] += ti;
        [cr, ci] = [cr * wr - ci * wi, cr * wi + ci * wr];
      }
    }
  }
}

/** A take's spectrum for {@link sameTakeScore}: 16 kHz samples → decimated, zero-padded FFT. */
export interface TakePrint {
  re: Float64Array;
  im: Float64Array;
  norm: number;
}

const DECIMATE = 2;
/** ±300 ms at 8 kHz. */
const MAX_LAG = 2400;

export function takePrint(samples16k: Float32Array): TakePrint {
  const m = Math.floor(samples16k.length / DECIMATE);
  let n = 1;
  while (n < 2 * m) n *= 2;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  let norm = 0;
  for (let i = 0; i < m; i++) {
    let v = 0;
    for (let k = 0; k < DECIMATE; k++) v += samples16k[i * DECIMATE + k];
    re[i] = v / DECIMATE;
    norm += re[i] * re[i];
  }
  fft(re, im, false);
  return { re, im, norm: Math.sqrt(norm) };
}

/** Peak normalised cross-correlation of two takes over lags ≤ ±300 ms, in [0, 1]. */
export function sameTakeScore(a: TakePrint, b: TakePrint): number {
  if (a.re.length !== b.re.length || a.norm === 0 || b.norm === 0) return 0;
  const n = a.re.length;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // a · conj(b)
    re[k] = a.re[k] * b.re[k] + a.im[k] * b.im[k];
    im[k] = a.im[k] * b.re[k] - a.re[k] * b.im[k];
  }
  fft(re, im, true);
  let best = 0;
  let at = 0;
  for (let lag = -MAX_LAG; lag <= MAX_LAG; lag++) {
    const v = Math.abs(re[(lag + n) % n]) / n;
    if (v > best) [best, at] = [v, lag];
  }
  // The peak between samples: a take recorded again is offset by a fraction of a sample too,
  // and half a sample at 8 kHz costs speech ~0.1 of its score (0.999 → 0.89). The band-limited
  // correlation is evaluated at eighths of a sample around the integer peak, only where that
  // peak is already close: two different takes stay far below, and each evaluation costs n
  // sines and cosines.
  if (best / (a.norm * b.norm) >= REFINE_ABOVE) {
    for (let j = -STEPS; j <= STEPS; j++) {
      if (j !== 0) best = Math.max(best, Math.abs(correlationAt(a, b, at + j / STEPS / 2)) / n);
    }
  }
  return Math.min(1, best / (a.norm * b.norm));
}

/** Eighth-sample steps over ±half a sample around the integer peak. */
const STEPS = 4;
/** Integer-lag scores below this are not refined (the same take offset by half a sample: ≥ 0.88). */
const REFINE_ABOVE = 0.75;

/**
 * The unscaled cross-correlation of `a` and `b` at a fractional lag τ (in samples):
 * Re Σ_k A[k]·conj(B[k])·e^{2πikτ/n}, k taken as a signed frequency (the inverse DFT evaluated
 * between its sample points).
 */
function correlationAt(a: TakePrint, b: TakePrint, tau: number): number {
  const n = a.re.length;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const re = a.re[k] * b.re[k] + a.im[k] * b.im[k];
    const im = a.im[k] * b.re[k] - a.re[k] * b.im[k];
    const f = k <= n / 2 ? k : k - n;
    const theta = (2 * Math.PI * f * tau) / n;
    sum += re * Math.cos(theta) - im * Math.sin(theta);
  }
  return sum;
}
