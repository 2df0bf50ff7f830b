/**
 * Finding the utterances (words, claps, any sound event) in a long recording, so that a take of
 * 24 "yes" becomes 24 clips. Frame features come from meyda: RMS level and the amplitude spectrum,
 * from which the spectral flux is computed here (the half-wave rectified frame-to-frame increase of
 * log-compressed magnitudes, Bello et al. 2005, "A tutorial on onset detection in music signals",
 * IEEE TSAP 13(5); meyda 5.6's own spectralFlux extractor throws a ReferenceError, meyda#852).
 *
 * A frame is active when its level is well above the recording's noise floor (the 10th percentile
 * of frame levels), or moderately above it with a spectral-flux onset; active frames separated by
 * less than {@link MERGE_GAP_SECONDS} join into one utterance. A recording whose level hardly
 * varies (steady noise, a hum, silence) has no utterances.
 */
import Meyda from 'meyda';

export interface Segment {
  /** First and one-past-last sample of the utterance. */
  start: number;
  end: number;
  /** Energy-weighted centre, in samples. */
  centre: number;
}

/** Pauses shorter than this stay inside one utterance (stop closures, short breaths). */
export const MERGE_GAP_SECONDS = 0.3;
/** Level above the noise floor that makes a frame active on its own. */
const ACTIVE_DB = 10;
/** A flux onset counts from this far above the floor. */
const ONSET_DB = 6;
/** Recordings whose loudest frame is less than this above the floor hold no events. */
const MIN_RANGE_DB = 12;
const FLOOR_PERCENTILE = 0.1;

interface MeydaLike {
  bufferSize: number;
  sampleRate: number;
  windowingFunction: string;
  extract(features: string[], signal: Float32Array): Record<string, unknown> | null;
}
const meyda = Meyda as unknown as MeydaLike;

/** The largest power of two not above 32 ms of audio (meyda needs power-of-two frames). */
function frameLengthFor(rate: number): number {
  return 2 ** Math.max(5, Math.floor(Math.log2(0.032 * rate)));
}

/** RMS of a frame through meyda (rectangular window: the true RMS). */
export function frameRms(frame: Float32Array): number {
  meyda.bufferSize = frame.length;
  meyda.windowingFunction = 'rect';
  return Number(meyda.extract(['rms'], frame)?.rms ?? 0);
}

export interface FrameFeatures {
  hop: number;
  frameLength: number;
  /** Per frame: level in dBFS and spectral flux. */
  levelDb: Float32Array;
  flux: Float32Array;
}

/** Frame levels and spectral flux every 10 ms. */
export function frameFeatures(x: Float32Array, rate: number): FrameFeatures {
  const frameLength = frameLengthFor(rate);
  const hop = Math.max(1, Math.round(rate / 100));
  const count = Math.max(1, Math.ceil(x.length / hop));
  const levelDb = new Float32Array(count);
  const flux = new Float32Array(count);
  const frame = new Float32Array(frameLength);
  let previous: Float32Array | undefined;
  meyda.sampleRate = rate;
  for (let i = 0; i < count; i++) {
    frame.fill(0);
    frame.set(x.subarray(i * hop, Math.min(x.length, i * hop + frameLength)));
    levelDb[i] = 20 * Math.log10(frameRms(frame) + 1e-9);
    meyda.windowingFunction = 'hanning';
    const spectrum = meyda.extract(['amplitudeSpectrum'], frame)?.amplitudeSpectrum as
      Float32Array | undefined;
    const mag = Float32Array.from(spectrum ?? [], (v) => Math.log1p(100 * v));
    if (previous) {
      let f = 0;
      for (let k = 0; k < mag.length; k++) f += Math.max(0, mag[k] - previous[k]);
      flux[i] = f / Math.max(1, mag.length);
    }
    previous = mag;
  }
  return { hop, frameLength, levelDb, flux };
}

function percentile(x: Float32Array, p: number): number {
  const s = Float32Array.from(x).sort();
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/** The utterances of a recording, in order; none when its level hardly varies. */
export function findUtterances(x: Float32Array, rate: number): Segment[] {
  const { hop, frameLength, levelDb, flux } = frameFeatures(x, rate);
  const floor = percentile(levelDb, FLOOR_PERCENTILE);
  const top = percentile(levelDb, 0.995);
  if (top - floor < MIN_RANGE_DB) return [];
  const fluxLimit = percentile(flux, 0.5) + 3 * (percentile(flux, 0.9) - percentile(flux, 0.5));
  const active = levelDb.map((db, i) =>
    db > floor + ACTIVE_DB || (db > floor + ONSET_DB && flux[i] > fluxLimit) ? 1 : 0
  );
  const gap = Math.round((MERGE_GAP_SECONDS * rate) / hop);
  const runs: [number, number][] = [];
  for (let i = 0; i < active.length; i++) {
    if (!active[i]) continue;
    let j = i;
    while (j + 1 < active.length && active[j + 1]) j++;
    const last = runs[runs.length - 1];
    if (last && i - last[1] <= gap) last[1] = j;
    else runs.push([i, j]);
    i = j;
  }
  return runs.map(([a, b]) => {
    let weight = 0;
    let sum = 0;
    for (let i = a; i <= b; i++) {
      const e = 10 ** (levelDb[i] / 10);
      weight += e;
      sum += e * (i * hop + frameLength / 2);
    }
    return {
      start: a * hop,
      end: Math.min(x.length, b * hop + frameLength),
      centre: Math.min(x.length - 1, Math.round(sum / weight))
    };
  });
}

/**
 * Where to cut `length`-sample clips from a recording of `total` samples: one clip centred on each
 * utterance (shifted to stay inside the recording), and an utterance longer than a clip split into
 * consecutive clips. Returns clip start samples.
 */
export function clipStarts(segments: Segment[], length: number, total: number): number[] {
  const clamp = (s: number) => Math.max(0, Math.min(total - length, Math.round(s)));
  const starts: number[] = [];
  for (const seg of segments) {
    const span = seg.end - seg.start;
    if (span <= length) starts.push(clamp(seg.centre - length / 2));
    else {
      const count = Math.ceil(span / length);
      const first = seg.start - (count * length - span) / 2;
      for (let k = 0; k < count; k++) starts.push(clamp(first + k * length));
    }
  }
  return starts;
}
