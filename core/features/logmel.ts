/**
 * Log-mel spectrograms of 16 kHz audio, in batch and as a stream that yields the same numbers.
 *
 * Frame i covers samples [i·hop, i·hop + frameLength): periodic Hann window, power spectrum by a
 * radix-2 FFT, triangular mel filters (HTK mel scale, filters overlapping half-way, on power),
 * then ln(energy + 1e-6). Written here rather than taken from meyda: meyda's melBands needs a
 * power-of-two buffer and caches its filter bank across sample-rate changes, and live inference
 * must reproduce the training numbers exactly, which is easiest when one small function makes both.
 */

export interface LogMelSettings {
  kind: 'logmel';
  sampleRate: number;
  clipSeconds: number;
  frameLength: number;
  hopLength: number;
  melBands: number;
  /** Filter bank edges in Hz (defaults 20 and 7600, under the resampler's cutoff). */
  fMin?: number;
  fMax?: number;
  /** Standardisation fitted on the training set: (v − mean) / std. Absent until fitted. */
  mean?: number;
  std?: number;
}

/**
 * One second of 16 kHz speech as 49 frames × 40 mel bands: the front end of the audio-small preset
 * (models/audio-small.json, kept equal by a test) and of the recording preview.
 */
export const SPEECH_LOGMEL: LogMelSettings = {
  kind: 'logmel',
  sampleRate: 16000,
  clipSeconds: 1,
  frameLength: 512,
  hopLength: 320,
  melBands: 40
};

const LOG_FLOOR = 1e-6;

export class FeatureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FeatureError';
  }
}

/** Throws FeatureError unless the settings describe a computable log-mel front end. */
export function checkLogMelSettings(s: LogMelSettings): void {
  const int = (k: keyof LogMelSettings, lo: number, hi: number): void => {
    const v = s[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < lo || v > hi) {
      throw new FeatureError(`features.${k} must be an integer in [${lo}, ${hi}], got ${v}`);
    }
  };
  int('sampleRate', 4000, 48000);
  int('frameLength', 64, 4096);
  if ((s.frameLength & (s.frameLength - 1)) !== 0) {
    throw new FeatureError(`features.frameLength must be a power of two, got ${s.frameLength}`);
  }
  int('hopLength', 1, s.frameLength);
  int('melBands', 1, 256);
  if (!(s.clipSeconds > 0 && s.clipSeconds <= 10)) {
    throw new FeatureError(`features.clipSeconds must be in (0, 10], got ${s.clipSeconds}`);
  }
  const lo = s.fMin ?? 20;
  const hi = s.fMax ?? 7600;
  if (!(lo >= 0 && hi > lo && hi <= s.sampleRate / 2)) {
    throw new FeatureError(`features fMin/fMax must satisfy 0 ≤ ${lo} < ${hi} ≤ sampleRate/2`);
  }
  if ((s.mean === undefined) !== (s.std === undefined)) {
    throw new FeatureError('features.mean and features.std come together');
  }
  if (s.std !== undefined && !(s.std > 0 && Number.isFinite(s.mean))) {
    throw new FeatureError('features.std must be positive and features.mean finite');
  }
}

/** Samples in one clip and the frames it yields. */
export function clipGeometry(s: LogMelSettings): { samples: number; frames: number } {
  const samples = Math.round(s.clipSeconds * s.sampleRate);
  return { samples, frames: 1 + Math.floor((samples - s.frameLength) / s.hopLength) };
}

const hz2mel = (f: number): number => 2595 * Math.log10(1 + f / 700);
const mel2hz = (m: number): number => 700 * (10 ** (m / 2595) - 1);

/** Precomputed window, FFT tables and filter bank for one settings object. */
export class LogMelFrontEnd {
  readonly settings: LogMelSettings;
  private readonly n: number;
  private readonly window: Float32Array;
  private readonly cos: Float64Array;
  private readonly sin: Float64Array;
  private readonly rev: Uint32Array;
  /** Per band: first bin and weights for consecutive bins. */
  private readonly filters: { start: number; weights: Float32Array }[];
  private readonly re: Float64Array;
  private readonly im: Float64Array;

  constructor(settings: LogMelSettings) {
    checkLogMelSettings(settings);
    this.settings = { ...settings };
    const n = settings.frameLength;
    this.n = n;
    this.window = Float32Array.from(
      { length: n },
      (_, i) => 0.5 - 0.5 * Math.cos((2 * Math.PI * i) / n)
    );
    this.cos = Float64Array.from({ length: n / 2 }, (_, i) => Math.cos((2 * Math.PI * i) / n));
    this.sin = Float64Array.from({ length: n / 2 }, (_, i) => -Math.sin((2 * Math.PI * i) / n));
    const bits = Math.log2(n);
    this.rev = Uint32Array.from({ length: n }, (_, i) => {
      let r = 0;
      for (let b = 0; b < bits; b++) r |= ((i >> b) & 1) << (bits - 1 - b);
      return r;
    });
    this.re = new Float64Array(n);
    this.im = new Float64Array(n);
    const bins = n / 2 + 1;
    const binHz = settings.sampleRate / n;
    const lo = hz2mel(settings.fMin ?? 20);
    const hi = hz2mel(settings.fMax ?? 7600);
    const edges = Array.from({ length: settings.melBands + 2 }, (_, i) =>
      mel2hz(lo + ((hi - lo) * i) / (settings.melBands + 1))
    );
    this.filters = [];
    for (let m = 0; m < settings.melBands; m++) {
      const [left, centre, right] = [edges[m], edges[m + 1], edges[m + 2]];
      const weights: number[] = [];
      let start = -1;
      for (let k = 0; k < bins; k++) {
        const f = k * binHz;
        const w =
          f <= left || f >= right
            ? 0
            : f <= centre
              ? (f - left) / (centre - left)
              : (right - f) / (right - centre);
        if (w > 0) {
          if (start < 0) start = k;
          weights.length = k - start;
          weights.push(w);
        }
      }
      // A band narrower than one bin still takes the nearest bin, so no band is always empty.
      if (start < 0) {
        start = Math.min(bins - 1, Math.round(centre / binHz));
        weights.push(1);
      }
      this.filters.push({ start, weights: Float32Array.from(weights, (w) => w ?? 0) });
    }
  }

  /**
   * The Hann window [frameLength] and the mel filter bank as a dense [frameLength/2 + 1, melBands]
   * matrix (power bin → band), exactly the weights {@link frame} uses (for exporting the front end).
   */
  tables(): { window: Float32Array; melMatrix: Float32Array } {
    const bins = this.n / 2 + 1;
    const bands = this.filters.length;
    const melMatrix = new Float32Array(bins * bands);
    this.filters.forEach(({ start, weights }, m) => {
      weights.forEach((w, k) => (melMatrix[(start + k) * bands + m] = w));
    });
    return { window: Float32Array.from(this.window), melMatrix };
  }

  /** Writes the melBands log energies of the frame starting at `at` in `x` into out[o …]. */
  frame(x: Float32Array, at: number, out: Float32Array, o: number): void {
    const { n, re, im, rev, window } = this;
    for (let i = 0; i < n; i++) {
      const j = rev[i];
      const v = at + i < x.length ? x[at + i] : 0;
      re[j] = v * window[i];
      im[j] = 0;
    }
    for (let size = 2; size <= n; size *= 2) {
      const half = size / 2;
      const stride = n / size;
      for (let s = 0; s < n; s += size) {
        for (let k = 0; k < half; k++) {
          const c = this.cos[k * stride];
          const d = this.sin[k * stride];
          const a = s + k;
          const b = a + half;
          const tr = re[b] * c - im[b] * d;
          const ti = re[b] * d + im[b] * c;
          re[b] = re[a] - tr;
          im[b] = im[a] - ti;
          re[a] += tr;
          im[a] += ti;
        }
      }
    }
    const { mean, std } = this.settings;
    for (let m = 0; m < this.filters.length; m++) {
      const { start, weights } = this.filters[m];
      let e = 0;
      for (let k = 0; k < weights.length; k++) {
        const bin = start + k;
        e += weights[k] * (re[bin] * re[bin] + im[bin] * im[bin]);
      }
      const v = Math.log(e + LOG_FLOOR);
      out[o + m] = std === undefined ? v : (v - mean!) / std;
    }
  }

  /** All whole frames of `x`: [frames, melBands], frame i starting at i·hop. */
  frames(x: Float32Array): Float32Array {
    const { frameLength, hopLength, melBands } = this.settings;
    const count = x.length < frameLength ? 0 : 1 + Math.floor((x.length - frameLength) / hopLength);
    const out = new Float32Array(count * melBands);
    for (let f = 0; f < count; f++) this.frame(x, f * hopLength, out, f * melBands);
    return out;
  }

  /**
   * Features of one clip: `x` is cut or zero-padded to clipSeconds, giving [frames, melBands].
   */
  clip(x: Float32Array): Float32Array {
    const { samples } = clipGeometry(this.settings);
    const fitted = x.length === samples ? x : new Float32Array(samples);
    if (fitted !== x) fitted.set(x.subarray(0, samples));
    return this.frames(fitted);
  }
}

/**
 * Live log-mel: push 16 kHz samples in blocks of any size; frames are computed as soon as they are
 * complete, at the same sample offsets (multiples of hop from the first sample pushed) as
 * {@link LogMelFrontEnd.frames} on the whole recording, with identical values.
 */
export class LogMelStream {
  private readonly front: LogMelFrontEnd;
  private pending = new Float32Array(0);
  /** The most recent frames, oldest first, at most `keep`. */
  private readonly history: Float32Array;
  private stored = 0;
  private readonly keep: number;
  framesProduced = 0;

  constructor(settings: LogMelSettings) {
    this.front = new LogMelFrontEnd(settings);
    this.keep = clipGeometry(settings).frames;
    this.history = new Float32Array(this.keep * settings.melBands);
  }

  /** Adds samples; returns how many new frames were completed. */
  push(samples: Float32Array): number {
    const { frameLength, hopLength, melBands } = this.front.settings;
    const merged = new Float32Array(this.pending.length + samples.length);
    merged.set(this.pending);
    merged.set(samples, this.pending.length);
    let at = 0;
    let made = 0;
    const one = new Float32Array(melBands);
    while (at + frameLength <= merged.length) {
      this.front.frame(merged, at, one, 0);
      if (this.stored === this.keep) this.history.copyWithin(0, melBands);
      else this.stored++;
      this.history.set(one, (this.stored - 1) * melBands);
      at += hopLength;
      made++;
    }
    this.pending = merged.slice(at);
    this.framesProduced += made;
    return made;
  }

  /** The latest clip's worth of frames ([frames, melBands]), or null until enough have arrived. */
  window(): Float32Array | null {
    return this.stored < this.keep ? null : Float32Array.from(this.history);
  }
}
