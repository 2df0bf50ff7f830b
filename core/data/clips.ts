/**
 * One audio file → the clips training uses, the same way everywhere (CLI, app import preview,
 * training): decode (any format, core/features/audio.ts) → mono (the louder channel when the
 * channels cancel) → the preset's rate → clips.
 *
 * - In the background class the whole recording is cut into consecutive clip-length windows.
 * - In every other class each utterance found (core/features/utterances.ts) becomes a clip; a file
 *   with one utterance or none (silence, a steady sound) gives its loudest clip-length window, and
 *   a file no longer than a clip is that clip, centred in silence. A clip whose utterance was cut
 *   by the start or end of the recording is marked in `cuts`: a microphone take leaves it out, the
 *   app's import preview shows it for the person to decide, training on a folder keeps it. A sound
 *   longer than a word is split into consecutive clips marked in `longSounds`, for the app to show
 *   before saving them.
 * - A recording longer than a clip in which no utterance was found (`utterances` 0: silence, steady
 *   noise, a steady sound) still gives its loudest window; a microphone take of it saves nothing.
 */
import { decodeMonoAt } from '../features/decode-mono';
import type { LogMelSettings } from '../features/logmel';
import {
  clipPlaces,
  findUtterances,
  type ClipPlace,
  type Cut,
  type LongSound
} from '../features/utterances';

export interface AudioClips {
  /** The whole recording, mono, at the preset's rate. */
  samples: Float32Array;
  sampleRate: number;
  /** Clip start samples within `samples` (negative: a short file centred in silence). */
  starts: number[];
  /** Per clip: its utterance was cut by the recording's start or end (else undefined). */
  cuts: (Cut | undefined)[];
  /** Per clip: the sound longer than a word it is one piece of (else undefined). */
  longSounds: (LongSound | undefined)[];
  /**
   * Utterances found in a word class's recording longer than a clip (0: nothing rose above its
   * noise floor); undefined where none are looked for (background class, a recording of one clip).
   */
  utterances?: number;
  clips: Float32Array[];
  /** Everything read differently from a plain file (ended early, channels cancel …). */
  warnings: string[];
}

/** Clip length in samples for the settings. */
export function clipLength(s: Pick<LogMelSettings, 'sampleRate' | 'clipSeconds'>): number {
  return Math.round(s.sampleRate * s.clipSeconds);
}

/**
 * The loudest `length`-sample window of x (by energy, on a grid of a hundredth of a window: 10 ms
 * for a 1 s clip), or x centred in silence. A window's energy is the difference of the running
 * sum of x² at its ends; only the sums at window starts and ends are kept (two numbers per grid
 * step, not one per sample: an hour at 16 kHz would need 460 MB of them).
 */
export function loudestStart(x: Float32Array, length: number): number {
  if (x.length <= length) return -Math.floor((length - x.length) / 2);
  const grid = Math.max(1, Math.round(length / 100));
  const windows = Math.floor((x.length - length) / grid) + 1;
  /** Running sums of x² before each window's first sample, and before the sample after its last. */
  const atStart = new Float64Array(windows);
  const atEnd = new Float64Array(windows);
  let sum = 0;
  for (let i = 0; i <= x.length; i++) {
    if (i % grid === 0 && i / grid < windows) atStart[i / grid] = sum;
    const end = i - length;
    if (end >= 0 && end % grid === 0 && end / grid < windows) atEnd[end / grid] = sum;
    if (i < x.length) sum += x[i] * x[i];
  }
  let best = 0;
  let bestEnergy = -1;
  for (let k = 0; k < windows; k++) {
    const e = atEnd[k] - atStart[k];
    if (e > bestEnergy) [best, bestEnergy] = [k * grid, e];
  }
  return best;
}

/** `length` samples of x from `start` (zeros outside x). */
export function windowAt(x: Float32Array, start: number, length: number): Float32Array {
  const out = new Float32Array(length);
  const from = Math.max(0, start);
  out.set(x.subarray(from, Math.min(x.length, start + length)), from - start);
  return out;
}

/** Consecutive window starts (a tail shorter than half a window is dropped). */
export function consecutiveStarts(total: number, length: number): number[] {
  const out: number[] = [];
  for (let s = 0; s < total; s += length) {
    if (total - s < length / 2 && out.length > 0) break;
    out.push(s);
  }
  return out;
}

/** Where the clips of a mono recording are, and how many utterances were found in it. */
export interface ClipPlan {
  places: ClipPlace[];
  /** See {@link AudioClips.utterances}. */
  utterances?: number;
}

/** The clips of a mono recording of `x.length` samples at `rate` Hz, by the rules above. */
export function clipPlanOf(
  x: Float32Array,
  rate: number,
  length: number,
  background: boolean
): ClipPlan {
  if (background) {
    return { places: consecutiveStarts(x.length, length).map((start) => ({ start })) };
  }
  if (x.length <= length) return { places: [{ start: loudestStart(x, length) }] };
  const segments = findUtterances(x, rate);
  const utterances = segments.length;
  if (utterances <= 1) {
    const cut = segments[0]?.cut;
    const start = loudestStart(x, length);
    return { places: [cut ? { start, cut } : { start }], utterances };
  }
  return { places: clipPlaces(segments, length, x.length), utterances };
}

/** The places of {@link clipPlanOf}. */
export function clipPlacesOf(
  x: Float32Array,
  rate: number,
  length: number,
  background: boolean
): ClipPlace[] {
  return clipPlanOf(x, rate, length, background).places;
}

/** The start samples of {@link clipPlacesOf}. */
export function clipStartsOf(
  x: Float32Array,
  rate: number,
  length: number,
  background: boolean
): number[] {
  return clipPlacesOf(x, rate, length, background).map((p) => p.start);
}

/**
 * Decodes a file and cuts its clips. `name` goes into messages. Throws AudioError (the file can't
 * be read) and nothing else. A background recording's clips are views of `samples` (they cover
 * all of it, so copies would only double an hour's 230 MB); a word class's few clips are copies,
 * so that the whole recording need not be kept for them.
 */
export async function audioClips(
  bytes: Uint8Array,
  name: string,
  settings: Pick<LogMelSettings, 'sampleRate' | 'clipSeconds'>,
  background: boolean
): Promise<AudioClips> {
  const { samples, warnings } = await decodeMonoAt(bytes, name, settings.sampleRate);
  const length = clipLength(settings);
  const { places, utterances } = clipPlanOf(samples, settings.sampleRate, length, background);
  const inside = (s: number) => background && s >= 0 && s + length <= samples.length;
  return {
    samples,
    sampleRate: settings.sampleRate,
    starts: places.map((p) => p.start),
    cuts: places.map((p) => p.cut),
    longSounds: places.map((p) => p.longSound),
    ...(utterances === undefined ? {} : { utterances }),
    clips: places.map(({ start }) =>
      inside(start) ? samples.subarray(start, start + length) : windowAt(samples, start, length)
    ),
    warnings
  };
}
