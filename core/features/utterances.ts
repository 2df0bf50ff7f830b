/**
 * Finding the utterances (words, claps, any sound event) in a long recording, so that a take of
 * 24 "yes" becomes 24 clips. Frame features come from meyda: RMS level and the amplitude spectrum,
 * from which the spectral flux is computed here (the half-wave rectified frame-to-frame increase of
 * log-compressed magnitudes, Bello et al. 2005, "A tutorial on onset detection in music signals",
 * IEEE TSAP 13(5); meyda 5.6's own spectralFlux extractor throws a ReferenceError, meyda#852).
 *
 * A frame is active when its level is well above the recording's noise floor (the 10th percentile
 * of frame levels, but never more than {@link MAX_RANGE_DB} below the loudest frame), or moderately
 * above it with a spectral-flux onset; active frames separated by less than
 * {@link MERGE_GAP_SECONDS} join into one utterance. A recording whose level hardly varies (steady
 * noise, a hum, silence) has no utterances.
 *
 * The cap on the floor is what makes the same sound give the same utterances in every container:
 * between words a 16-bit file holds dither or codec noise near −100 dBFS, a resampled or
 * AAC-coded copy of it a few dB more or less, an exact copy digital zeros; measured from such a
 * floor, a word's inaudible reverberant tail (−80 dBFS, 70 dB under the word) counted as sound in
 * some copies and not in others, and a word with its tail became two clips in one of them.
 *
 * An utterance that is already sounding at the first frame, or still sounding at the last, was cut
 * by the start or end of the recording (a take begun or let go mid-word): it is marked
 * {@link Segment.cut} so that callers can leave it out or ask.
 */
import Meyda from 'meyda';

export interface Segment {
  /** First and one-past-last sample of the utterance. */
  start: number;
  end: number;
  /** Energy-weighted centre, in samples. */
  centre: number;
  /**
   * The utterance was cut by the recording's edge: it is already sounding at the first sample
   * ('start'), still sounding at the last ('end'), or both. Absent for a whole utterance.
   */
  cut?: Cut;
}

export type Cut = 'start' | 'end' | 'both';

/** Pauses shorter than this stay inside one utterance (stop closures, short breaths). */
export const MERGE_GAP_SECONDS = 0.3;
/** Level above the noise floor that makes a frame active on its own. */
const ACTIVE_DB = 10;
/** A flux onset counts from this far above the floor. */
const ONSET_DB = 6;
/** Recordings whose loudest frame is less than this above the floor hold no events. */
const MIN_RANGE_DB = 12;
const FLOOR_PERCENTILE = 0.1;
/**
 * The noise floor is taken at most this far below the loudest frame: what is quieter still (dither,
 * codec noise, reverberant tails) is inaudible next to it and differs between copies of one sound.
 */
export const MAX_RANGE_DB = 50;
/**
 * An utterance touching an edge counts as cut when the level there is within this of its own
 * loudest frame: a word going on at full voice, not the last breath of a fading tail.
 */
export const CUT_DB = 25;

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
  const top = percentile(levelDb, 0.995);
  const floor = Math.max(percentile(levelDb, FLOOR_PERCENTILE), top - MAX_RANGE_DB);
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
  // The last frame that lies wholly inside the recording (later ones are padded with zeros).
  const lastFull = Math.max(
    0,
    Math.min(active.length - 1, Math.floor((x.length - frameLength) / hop))
  );
  return runs.map(([a, b]) => {
    let weight = 0;
    let sum = 0;
    let loudest = -Infinity;
    for (let i = a; i <= b; i++) {
      const e = 10 ** (levelDb[i] / 10);
      weight += e;
      sum += e * (i * hop + frameLength / 2);
      loudest = Math.max(loudest, levelDb[i]);
    }
    const atStart = a === 0 && levelDb[0] >= loudest - CUT_DB;
    const atEnd = b >= lastFull && levelDb[lastFull] >= loudest - CUT_DB;
    const segment: Segment = {
      start: a * hop,
      end: Math.min(x.length, b * hop + frameLength),
      centre: Math.min(x.length - 1, Math.round(sum / weight))
    };
    if (atStart || atEnd) segment.cut = atStart && atEnd ? 'both' : atStart ? 'start' : 'end';
    return segment;
  });
}

/**
 * The longest sound, in clip lengths, that is one word: slow or drawn-out speech, a hummed or sung
 * note, lasts 1–2 s, and cutting such a sound into consecutive clips gave halves of it, none the
 * word. A sound of up to this many clips gives one clip centred on its energy; a longer one (a
 * phrase, words run together, a sustained noise) is split into consecutive clips, each marked.
 */
export const LONGEST_WORD_CLIPS = 2;

/** A sound longer than a word ({@link LONGEST_WORD_CLIPS}), cut into `clips` consecutive clips. */
export interface LongSound {
  /** First and one-past-last sample of the sound. */
  start: number;
  end: number;
  clips: number;
}

/** A clip to cut: its first sample, and whether its utterance was cut by the recording's edge. */
export interface ClipPlace {
  start: number;
  cut?: Cut;
  /** The clip is one piece of a sound longer than a word (absent for a word's own clip). */
  longSound?: LongSound;
}

/** The part of `cut` that concerns piece `k` of `count` pieces of one utterance. */
function pieceCut(cut: Cut | undefined, k: number, count: number): Cut | undefined {
  if (!cut || count === 1) return cut;
  const start = k === 0 && cut !== 'end';
  const end = k === count - 1 && cut !== 'start';
  return start ? 'start' : end ? 'end' : undefined;
}

/**
 * Where to cut `length`-sample clips from a recording of `total` samples: one clip centred on each
 * utterance up to {@link LONGEST_WORD_CLIPS} clips long (shifted to stay inside the recording), and
 * a longer utterance split into consecutive clips, each carrying its {@link ClipPlace.longSound}
 * (only the first and last of them carry the utterance's {@link Segment.cut}).
 */
export function clipPlaces(segments: Segment[], length: number, total: number): ClipPlace[] {
  const clamp = (s: number) => Math.max(0, Math.min(total - length, Math.round(s)));
  const places: ClipPlace[] = [];
  for (const seg of segments) {
    const span = seg.end - seg.start;
    if (span <= LONGEST_WORD_CLIPS * length) {
      const start = clamp(seg.centre - length / 2);
      places.push(seg.cut ? { start, cut: seg.cut } : { start });
      continue;
    }
    const count = Math.ceil(span / length);
    const first = seg.start - (count * length - span) / 2;
    const longSound = { start: seg.start, end: seg.end, clips: count };
    for (let k = 0; k < count; k++) {
      const cut = pieceCut(seg.cut, k, count);
      places.push({ start: clamp(first + k * length), ...(cut ? { cut } : {}), longSound });
    }
  }
  return places;
}

/** The start samples of {@link clipPlaces}. */
export function clipStarts(segments: Segment[], length: number, total: number): number[] {
  return clipPlaces(segments, length, total).map((p) => p.start);
}
