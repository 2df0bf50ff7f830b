/**
 * From a dataset folder (DESIGN.md: one folder per class) to training examples. Scanning — which
 * files are data, decoding, cutting long takes at their utterances — lives in scan.ts and
 * clips.ts and is re-exported here; this module builds feature tensors from what was scanned:
 * log-mel frames of each clip (with seeded augmentation for training sets) or image features.
 */
import { LogMelFrontEnd, type LogMelSettings } from '../features/logmel';
import type { Examples } from '../train/dataset';
import { createRng, type Rng } from '../util/rng';
import { consecutiveStarts, loudestStart, windowAt } from './clips';
import { DatasetError, type FeatureSettings, type ScannedDataset } from './scan';

export {
  DatasetError,
  isBackgroundClass,
  scanDataset,
  type DatasetSource,
  type FeatureSettings,
  type Problem,
  type RawItem,
  type ScannedDataset,
  type ScanOptions
} from './scan';

/** The loudest `length`-sample window of x (by energy, on a 10 ms grid), or x centred in silence. */
export function loudestWindow(x: Float32Array, length: number): Float32Array {
  return windowAt(x, loudestStart(x, length), length);
}

/** Consecutive `length`-sample windows (a tail shorter than half a window is dropped). */
export function cutWindows(x: Float32Array, length: number): Float32Array[] {
  return consecutiveStarts(x.length, length).map((s) => windowAt(x, s, length));
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
  /**
   * Largest change of speed (and with it pitch), as a fraction: 0.1 plays a copy at 0.9–1.1×
   * (linear interpolation about the clip's centre). 0 or absent: none.
   */
  speed?: number;
  /**
   * Extra copies of each background clip at a random level `quietDb` [lo, hi] dB below it, so that
   * a quieter room than the one recorded still reads as background. 0 or absent: none.
   */
  quietCopies?: number;
  quietDb?: [number, number];
}

/**
 * maxShift is half of Live's default hop (1 s windows at 50 % overlap): clips cut at utterances are
 * centred on their word, while a live window holds it anywhere within ±0.25 s of its centre.
 */
export const DEFAULT_AUDIO_AUGMENT: AudioAugmentOptions = {
  copies: 2,
  maxShift: 0.25,
  gainDb: 6,
  noiseDb: [10, 25]
};

/**
 * Augmentation when a run starts from a base: more copies, louder noise, ±10 % speed, and quiet
 * copies of the background. A base's features already separate words in many voices; what a
 * handful of takes lacks is the variety of where and how loudly the word will be said.
 */
export const FINE_TUNE_AUDIO_AUGMENT: AudioAugmentOptions = {
  copies: 4,
  maxShift: 0.25,
  gainDb: 10,
  noiseDb: [0, 25],
  speed: 0.1,
  quietCopies: 2,
  quietDb: [10, 45]
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
  const factor = opts.speed ? 1 + (2 * rng.next() - 1) * opts.speed : 1;
  const centre = n / 2;
  for (let i = 0; i < n; i++) {
    // Output sample i reads the clip at centre + (i − shift − centre)·factor.
    const j = centre + (i - shift - centre) * factor;
    const j0 = Math.floor(j);
    const f = j - j0;
    const a = j0 >= 0 && j0 < n ? clip[j0] : 0;
    const b = j0 + 1 >= 0 && j0 + 1 < n ? clip[j0 + 1] : 0;
    out[i] = a + f * (b - a);
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
      const bgLabel = item.label === scanned.backgroundLabel;
      if (options.augment && bgLabel && options.augment.quietCopies) {
        const [lo, hi] = options.augment.quietDb ?? [10, 40];
        for (let c = 0; c < options.augment.quietCopies; c++) {
          const k = 10 ** (-(lo + rng.next() * (hi - lo)) / 20);
          variants.push(front.clip(item.samples!.map((v) => v * k)));
        }
      }
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
