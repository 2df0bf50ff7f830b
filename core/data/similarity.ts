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

/**
 * Pictures: whether two are near copies (the same scene taken again: re-encoded, the camera moved
 * by a few pixels, the exposure a few per cent off, new sensor noise), from a small print of each.
 * The print is the picture's features area-averaged to {@link PRINT_SIDE}×{@link PRINT_SIDE}
 * cells (a cell of a 320×240 frame is 10×7.5 pixels) and blurred twice with [1 2 1]/4 each way
 * (so that a fine texture moved by a fraction of a cell does not alias into other cell levels),
 * scaled so that its mean level is 0.5 (exposure drops out). Two prints are compared cell by cell
 * with a tolerance of one cell: a cell of one counts as matched when each of its channels lies
 * between the lowest and the highest level of the other's 3×3 cells around it (a morphological
 * tolerance: an edge moved by up to a cell stays within that range, another object does not). The
 * outer ring of cells is left out (a camera that moves brings new content in there). The distance
 * is how far the second least matched cell lies outside that range, in mean level per channel:
 * one odd cell (a glint) does not part two copies.
 */

/** Cells per side of a picture's print. */
export const PRINT_SIDE = 32;
/** Passes of the [1 2 1]/4 blur over a print. */
const BLUR_PASSES = 2;
/** Rings of cells that {@link backgroundDistance} compares (after the outer one): 10 % of a side. */
const BACKGROUND_RINGS = 3;

/** A picture's print for {@link pictureDistance}. */
export interface PicturePrint {
  /** [PRINT_SIDE, PRINT_SIDE, channels] mean levels, scaled to a mean level of 0.5. */
  cells: Float32Array;
  /** Per cell and channel, the lowest and the highest level of its 3×3 neighbourhood. */
  lo: Float32Array;
  hi: Float32Array;
  channels: number;
  /**
   * How much the inner cells' levels vary (standard deviation, mean over channels, on the 0.5-mean
   * scale): near 0 for a plain field, which holds nothing to recognise a copy by.
   */
  structure: number;
  /** Mean level of the border cells {@link backgroundDistance} compares (same scale as `cells`). */
  borderMean: number;
}

/**
 * The print of a picture's features ([height, width, channels] interleaved, levels in [0, 1]).
 * Throws RangeError when the length is not height × width × channels.
 */
export function picturePrint(
  features: Float32Array,
  height: number,
  width: number,
  channels: number
): PicturePrint {
  if (features.length !== height * width * channels || height < 1 || width < 1) {
    throw new RangeError(
      `picturePrint: ${features.length} values for ${height}×${width}×${channels}`
    );
  }
  const n = PRINT_SIDE;
  const cells = new Float32Array(n * n * channels);
  const sy = height / n;
  const sx = width / n;
  let sum = 0;
  for (let oy = 0; oy < n; oy++) {
    const y0 = oy * sy;
    const y1 = y0 + sy;
    for (let ox = 0; ox < n; ox++) {
      const x0 = ox * sx;
      const x1 = x0 + sx;
      const o = (oy * n + ox) * channels;
      let total = 0;
      for (let y = Math.floor(y0); y < Math.min(height, Math.ceil(y1)); y++) {
        const wy = Math.min(y + 1, y1) - Math.max(y, y0);
        for (let x = Math.floor(x0); x < Math.min(width, Math.ceil(x1)); x++) {
          const w = wy * (Math.min(x + 1, x1) - Math.max(x, x0));
          const p = (y * width + x) * channels;
          for (let c = 0; c < channels; c++) cells[o + c] += w * features[p + c];
          total += w;
        }
      }
      for (let c = 0; c < channels; c++) {
        cells[o + c] /= total;
        sum += cells[o + c];
      }
    }
  }
  blur(cells, channels);
  const mean = sum / cells.length;
  if (mean > 0) for (let i = 0; i < cells.length; i++) cells[i] *= 0.5 / mean;
  const lo = new Float32Array(cells.length);
  const hi = new Float32Array(cells.length);
  for (let y = 0; y < n; y++)
    for (let x = 0; x < n; x++)
      for (let c = 0; c < channels; c++) {
        let min = Infinity;
        let max = -Infinity;
        for (let yy = Math.max(0, y - 1); yy <= Math.min(n - 1, y + 1); yy++)
          for (let xx = Math.max(0, x - 1); xx <= Math.min(n - 1, x + 1); xx++) {
            const v = cells[(yy * n + xx) * channels + c];
            if (v < min) min = v;
            if (v > max) max = v;
          }
        lo[(y * n + x) * channels + c] = min;
        hi[(y * n + x) * channels + c] = max;
      }
  let spread = 0;
  for (let c = 0; c < channels; c++) {
    let s = 0;
    let s2 = 0;
    for (let y = 1; y < n - 1; y++)
      for (let x = 1; x < n - 1; x++) {
        const v = cells[(y * n + x) * channels + c];
        s += v;
        s2 += v * v;
      }
    const m = (n - 2) * (n - 2);
    spread += Math.sqrt(Math.max(0, s2 / m - (s / m) ** 2));
  }
  let border = 0;
  for (const i of BORDER) for (let c = 0; c < channels; c++) border += cells[i * channels + c];
  return {
    cells,
    lo,
    hi,
    channels,
    structure: spread / channels,
    borderMean: border / (BORDER.length * channels)
  };
}

/** {@link BLUR_PASSES} passes of a [1 2 1]/4 blur each way over a print, in place (edges renormalised). */
function blur(cells: Float32Array, channels: number): void {
  const n = PRINT_SIDE;
  const tmp = new Float32Array(cells.length);
  for (let pass = 0; pass < BLUR_PASSES; pass++) {
    blurLines(cells, tmp, channels, n * channels, channels);
    blurLines(tmp, cells, n * channels, channels, channels);
  }
}

/**
 * [1 2 1]/4 along lines of {@link PRINT_SIDE} cells: neighbours `step` values apart, lines
 * `across` values apart (one line per channel too). At a line's ends [2 1]/3.
 */
function blurLines(
  from: Float32Array,
  to: Float32Array,
  step: number,
  across: number,
  channels: number
): void {
  const n = PRINT_SIDE;
  for (let line = 0; line < n; line++)
    for (let c = 0; c < channels; c++) {
      const first = line * across + c;
      const last = first + (n - 1) * step;
      to[first] = (2 * from[first] + from[first + step]) / 3;
      for (let i = first + step; i < last; i += step) {
        to[i] = (from[i - step] + 2 * from[i] + from[i + step]) / 4;
      }
      to[last] = (from[last - step] + 2 * from[last]) / 3;
    }
}

/**
 * How far `a`'s cell i lies outside `b`'s neighbourhood range at i, mean level per channel, with
 * `a`'s levels scaled by `fa` and `b`'s by `fb`.
 */
function outside(a: PicturePrint, b: PicturePrint, i: number, fa = 1, fb = 1): number {
  const channels = a.channels;
  let d = 0;
  for (let j = i * channels; j < (i + 1) * channels; j++) {
    const v = a.cells[j] * fa;
    const lo = b.lo[j] * fb;
    if (v < lo) {
      d += lo - v;
      continue;
    }
    const hi = b.hi[j] * fb;
    if (v > hi) d += v - hi;
  }
  return d / channels;
}

/** Cells inside the print's outer ring, the centre first (objects are mostly there). */
const INNER: Int32Array = (() => {
  const n = PRINT_SIDE;
  const cells: number[] = [];
  for (let y = 1; y < n - 1; y++) for (let x = 1; x < n - 1; x++) cells.push(y * n + x);
  const away = (i: number) => Math.hypot((i % n) - (n - 1) / 2, Math.floor(i / n) - (n - 1) / 2);
  return Int32Array.from(cells.sort((p, q) => away(p) - away(q)));
})();

/** The cells {@link backgroundDistance} compares: {@link BACKGROUND_RINGS} rings inside the outer one. */
const BORDER: Int32Array = (() => {
  const n = PRINT_SIDE;
  const cells: number[] = [];
  for (let y = 1; y < n - 1; y++)
    for (let x = 1; x < n - 1; x++) {
      if (Math.min(x, y, n - 1 - x, n - 1 - y) <= BACKGROUND_RINGS) cells.push(y * n + x);
    }
  return Int32Array.from(cells);
})();

/**
 * How different two pictures' backgrounds are: the median, over the cells of the print's border
 * ({@link BACKGROUND_RINGS} rings inside the outer one), each print scaled to a border mean of 0.5,
 * of how far a cell of one lies outside the other's range (as {@link pictureDistance}). An object
 * held in front of the camera rarely covers half of that border, so the median sees the
 * background around it.
 */
export function backgroundDistance(a: PicturePrint, b: PicturePrint): number {
  if (a.channels !== b.channels || a.cells.length !== b.cells.length) return Infinity;
  const fa = a.borderMean > 0 ? 0.5 / a.borderMean : 1;
  const fb = b.borderMean > 0 ? 0.5 / b.borderMean : 1;
  const d = borderScratch;
  BORDER.forEach((i, k) => (d[k] = Math.max(outside(a, b, i, fa, fb), outside(b, a, i, fb, fa))));
  return kth(d, Math.floor(d.length / 2));
}

/** Reused by {@link backgroundDistance}: one value per border cell. */
const borderScratch = new Float64Array(BORDER.length);

/** The k-th smallest value of `x` (0-based), reordering `x` (Hoare's selection). */
function kth(x: Float64Array, k: number): number {
  let [lo, hi] = [0, x.length - 1];
  while (lo < hi) {
    const pivot = x[(lo + hi) >> 1];
    let [i, j] = [lo, hi];
    while (i <= j) {
      while (x[i] < pivot) i++;
      while (x[j] > pivot) j--;
      if (i <= j) {
        const t = x[i];
        x[i++] = x[j];
        x[j--] = t;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return x[k];
  }
  return x[k];
}

/**
 * The distance of two pictures' prints (module comment above {@link PRINT_SIDE}): 0 for copies,
 * under 0.005 for the same frame re-encoded or taken again, up to about 0.035 for the camera moved
 * by up to 10 pixels of a 320×240 frame or the exposure 5 % off; over 0.08 for another object in
 * the same place or the same object on another background (groups.test measures these).
 * Comparing stops once it is sure the distance exceeds `stopAbove` (the value returned then is
 * only known to be larger). Infinity for prints of different channels.
 */
export function pictureDistance(a: PicturePrint, b: PicturePrint, stopAbove = Infinity): number {
  if (a.channels !== b.channels || a.cells.length !== b.cells.length) return Infinity;
  let first = 0;
  let second = 0;
  for (const i of INNER) {
    const e = Math.max(outside(a, b, i), outside(b, a, i));
    if (e > first) {
      second = first;
      first = e;
    } else if (e > second) second = e;
    if (second > stopAbove) return second;
  }
  return second;
}
