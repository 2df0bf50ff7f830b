/**
 * From a dataset folder (DESIGN.md: one folder per class, WAV or PNG/JPEG files inside) to training
 * examples. Storage is abstracted as a {@link DatasetSource} so that core stays platform-free: the
 * Node project store and the CLI pass a filesystem source, tests pass an in-memory one.
 *
 * Audio: decode → mono → resample to the preset's rate → 1 s windows → log-mel. A class named
 * `background` (or `_background_noise_`, as in Speech Commands) holds long recordings that are cut
 * into consecutive 1 s windows; every other file gives the loudest 1 s window it contains (short
 * files are centred and padded with silence). Images: decode → resize → grey or RGB.
 * Every file that cannot be used is reported by name with the reason; none is skipped silently.
 */
import { decodeImage, imageFeatures, type ImageSettings } from '../features/image';
import { clipGeometry, LogMelFrontEnd, type LogMelSettings } from '../features/logmel';
import { resample } from '../features/resample';
import { decodeWav, toMono } from '../features/wav';
import type { Examples } from '../train/dataset';
import { createRng, type Rng } from '../util/rng';

export type FeatureSettings = LogMelSettings | ImageSettings;

export interface DatasetSource {
  /** Class folder names. */
  classes(): Promise<string[]>;
  /** File names inside one class folder (data files only; the source drops its own temp files). */
  files(className: string): Promise<string[]>;
  read(className: string, file: string): Promise<Uint8Array>;
  /** How a file is named in messages (e.g. its path). */
  describe(className: string, file: string): string;
}

export interface Problem {
  file: string;
  reason: string;
}

export class DatasetError extends Error {
  readonly problems: Problem[];
  constructor(message: string, problems: Problem[] = []) {
    super(
      problems.length
        ? `${message}\n${problems.map((p) => `  ${p.file}: ${p.reason}`).join('\n')}`
        : message
    );
    this.name = 'DatasetError';
    this.problems = problems;
  }
}

const AUDIO_EXT = /\.wav$/i;
const IMAGE_EXT = /\.(png|jpe?g)$/i;
const BACKGROUND = /^(_?background(_noise_?)?|noise)$/i;

export function isBackgroundClass(name: string): boolean {
  return BACKGROUND.test(name);
}

/** One usable clip or image before feature extraction (audio kept as 16 kHz samples). */
export interface RawItem {
  label: number;
  file: string;
  /** Audio: `samples` 1 s at the preset rate. Image: the feature tensor directly. */
  samples?: Float32Array;
  features?: Float32Array;
}

export interface ScannedDataset {
  labels: string[];
  items: RawItem[];
  problems: Problem[];
  /** Items per class, in label order. */
  counts: number[];
  /** 16 kHz audio of the background class (for mixing), when there is one. */
  background: Float32Array[];
}

export interface ScanOptions {
  /** Labels in this order (a model's classes); unknown class folders are then an error. */
  labels?: string[];
  onProgress?: (done: number, total: number, file: string) => void;
}

/** The loudest `length`-sample window of x (by energy, on a 10 ms grid), or x centred in silence. */
export function loudestWindow(x: Float32Array, length: number): Float32Array {
  if (x.length <= length) {
    const out = new Float32Array(length);
    out.set(x, Math.floor((length - x.length) / 2));
    return out;
  }
  const prefix = new Float64Array(x.length + 1);
  for (let i = 0; i < x.length; i++) prefix[i + 1] = prefix[i] + x[i] * x[i];
  const grid = Math.max(1, Math.round(length / 100));
  let best = 0;
  let bestEnergy = -1;
  for (let s = 0; s + length <= x.length; s += grid) {
    const e = prefix[s + length] - prefix[s];
    if (e > bestEnergy) [best, bestEnergy] = [s, e];
  }
  return x.slice(best, best + length);
}

/** Consecutive `length`-sample windows (a tail shorter than half a window is dropped). */
export function cutWindows(x: Float32Array, length: number): Float32Array[] {
  const out: Float32Array[] = [];
  for (let s = 0; s < x.length; s += length) {
    const rest = x.length - s;
    if (rest < length / 2 && out.length > 0) break;
    const w = new Float32Array(length);
    w.set(x.subarray(s, s + length));
    out.push(w);
  }
  return out;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Reads every file of every class. Audio becomes 1 s windows at the preset rate; images become
 * feature tensors. Throws DatasetError when the dataset as a whole can't be trained on (fewer than
 * two classes, an empty class); per-file failures are collected in `problems`.
 */
export async function scanDataset(
  source: DatasetSource,
  settings: FeatureSettings,
  options: ScanOptions = {}
): Promise<ScannedDataset> {
  const found = (await source.classes()).slice().sort();
  let labels = found;
  if (options.labels) {
    const unknown = found.filter((c) => !options.labels!.includes(c));
    if (unknown.length) {
      throw new DatasetError(
        `class folder(s) ${unknown.map((c) => JSON.stringify(c)).join(', ')} are not classes of the model (${options.labels.join(', ')})`
      );
    }
    labels = options.labels;
  } else if (found.length < 2) {
    throw new DatasetError(
      found.length === 0
        ? 'no class folders found: expected one folder per class with files inside'
        : `only one class folder (${JSON.stringify(found[0])}): a classifier needs at least two`
    );
  }
  const listing: [number, string][] = [];
  for (const [label, name] of labels.entries()) {
    if (!found.includes(name)) continue;
    const files = (await source.files(name)).slice().sort();
    if (files.length === 0 && !options.labels) {
      throw new DatasetError(`class folder ${JSON.stringify(name)} is empty`);
    }
    for (const f of files) listing.push([label, f]);
  }
  const items: RawItem[] = [];
  const problems: Problem[] = [];
  const background: Float32Array[] = [];
  const counts = new Array<number>(labels.length).fill(0);
  let done = 0;
  for (const [label, file] of listing) {
    const cls = labels[label];
    const where = source.describe(cls, file);
    options.onProgress?.(done++, listing.length, where);
    try {
      if (settings.kind === 'logmel') {
        if (!AUDIO_EXT.test(file)) throw new Error('not a .wav file (audio presets read WAV only)');
        const bytes = await source.read(cls, file);
        const audio = decodeWav(bytes);
        const mono = resample(toMono(audio), audio.sampleRate, settings.sampleRate);
        const { samples } = clipGeometry(settings);
        if (isBackgroundClass(cls)) {
          background.push(mono);
          const windows = cutWindows(mono, samples);
          for (const w of windows) items.push({ label, file: where, samples: w });
          counts[label] += windows.length;
        } else {
          items.push({ label, file: where, samples: loudestWindow(mono, samples) });
          counts[label]++;
        }
      } else {
        if (!IMAGE_EXT.test(file)) throw new Error('not a .png, .jpg or .jpeg file');
        const bytes = await source.read(cls, file);
        items.push({ label, file: where, features: imageFeatures(decodeImage(bytes), settings) });
        counts[label]++;
      }
    } catch (e) {
      problems.push({ file: where, reason: reason(e) });
    }
  }
  options.onProgress?.(listing.length, listing.length, '');
  if (!options.labels) {
    const empty = labels.filter((_, i) => counts[i] === 0);
    if (empty.length) {
      throw new DatasetError(
        `class folder(s) ${empty.map((c) => JSON.stringify(c)).join(', ')} hold no usable files`,
        problems
      );
    }
  }
  return { labels, items, problems, counts, background };
}

export interface AudioAugmentOptions {
  /** Extra augmented copies of each non-background clip (0 = none). */
  copies: number;
  /** Largest time shift, seconds. */
  maxShift: number;
  /** Gain range in dB, ±. */
  gainDb: number;
  /** Background mixed in at this many dB below the clip's level (range [lo, hi]). */
  noiseDb: [number, number];
}

export const DEFAULT_AUDIO_AUGMENT: AudioAugmentOptions = {
  copies: 2,
  maxShift: 0.1,
  gainDb: 6,
  noiseDb: [10, 25]
};

function rmsOf(x: Float32Array): number {
  let s = 0;
  for (const v of x) s += v * v;
  return Math.sqrt(s / Math.max(1, x.length));
}

/** A shifted, gain-changed copy of `clip`, with a random stretch of background mixed in. */
export function augmentClip(
  clip: Float32Array,
  background: Float32Array[],
  opts: AudioAugmentOptions,
  rate: number,
  rng: Rng
): Float32Array {
  const n = clip.length;
  const out = new Float32Array(n);
  const shift = Math.round((2 * rng.next() - 1) * opts.maxShift * rate);
  for (let i = 0; i < n; i++) {
    const j = i - shift;
    out[i] = j >= 0 && j < n ? clip[j] : 0;
  }
  const gain = 10 ** (((2 * rng.next() - 1) * opts.gainDb) / 20);
  for (let i = 0; i < n; i++) out[i] *= gain;
  const usable = background.filter((b) => b.length >= n);
  if (usable.length) {
    const b = usable[rng.int(usable.length)];
    const at = rng.int(b.length - n + 1);
    const level = rmsOf(out);
    const noiseRms = rmsOf(b.subarray(at, at + n));
    if (level > 0 && noiseRms > 0) {
      const db = opts.noiseDb[0] + rng.next() * (opts.noiseDb[1] - opts.noiseDb[0]);
      const k = (level / noiseRms) * 10 ** (-db / 20);
      for (let i = 0; i < n; i++) out[i] += k * b[at + i];
    }
  }
  for (let i = 0; i < n; i++) out[i] = Math.max(-1, Math.min(1, out[i]));
  return out;
}

export interface BuildOptions {
  /** Audio augmentation for training sets; omit for evaluation data. */
  augment?: AudioAugmentOptions;
  seed?: number;
}

/**
 * Feature tensors for scanned items. Audio features are standardised with `settings.mean/std`
 * when present; {@link fitStandardisation} computes them from training examples.
 */
export function buildExamples(
  scanned: ScannedDataset,
  settings: FeatureSettings,
  inputShape: [number, number, number],
  options: BuildOptions = {}
): Examples {
  const per = inputShape[0] * inputShape[1] * inputShape[2];
  const rng = createRng(options.seed ?? 1);
  const front = settings.kind === 'logmel' ? new LogMelFrontEnd(settings) : undefined;
  const rows: Float32Array[] = [];
  const labels: number[] = [];
  for (const item of scanned.items) {
    const variants: Float32Array[] = [];
    if (front) {
      variants.push(front.clip(item.samples!));
      const bgLabel = isBackgroundClass(scanned.labels[item.label]);
      if (options.augment && !bgLabel) {
        for (let c = 0; c < options.augment.copies; c++) {
          const aug = augmentClip(
            item.samples!,
            scanned.background,
            options.augment,
            (settings as LogMelSettings).sampleRate,
            rng
          );
          variants.push(front.clip(aug));
        }
      }
    } else {
      variants.push(item.features!);
    }
    for (const v of variants) {
      if (v.length !== per) {
        throw new DatasetError(
          `${item.file}: features have ${v.length} values but the model input is ${inputShape.join('×')}`
        );
      }
      rows.push(v);
      labels.push(item.label);
    }
  }
  const x = new Float32Array(rows.length * per);
  rows.forEach((r, i) => x.set(r, i * per));
  return {
    x,
    y: Int32Array.from(labels),
    count: rows.length,
    shape: inputShape,
    classes: scanned.labels.length
  };
}

/** Mean and standard deviation of all feature values (for log-mel standardisation). */
export function fitStandardisation(x: Float32Array): { mean: number; std: number } {
  let sum = 0;
  for (const v of x) sum += v;
  const mean = sum / x.length;
  let sq = 0;
  for (const v of x) sq += (v - mean) ** 2;
  return { mean, std: Math.sqrt(sq / x.length) || 1 };
}

/** Applies (v − mean)/std in place. */
export function standardise(x: Float32Array, s: { mean: number; std: number }): void {
  for (let i = 0; i < x.length; i++) x[i] = (x[i] - s.mean) / s.std;
}
