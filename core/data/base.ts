/**
 * Bases: models Quench trains itself on a synthesised corpus (`npm run make-base`) that a project's
 * runs start from (core/train/fine-tune.ts). A sound base comes with a pack of one-second clips of
 * other words and speech from its corpus, from which a run draws its automatic "other sounds"
 * class (speech-commands' `_unknown_`), so that speech that is none of the project's words is not
 * a detection.
 *
 * Files (written by scripts/make-base.ts, read by the Node side and handed here as bytes):
 *   models/<name>.qnm          the base model (float tensors included)
 *   models/<name>.others.wav   the pack: N one-second clips back to back, 16 kHz mono (µ-law)
 *   models/<name>.json         the training record; `others.words` names each clip of the pack
 */
import { decodeWav, toMono } from '../features/wav';
import { crc32, decodeModel, ModelFileError, type ModelContents } from '../model-file/model-file';
import { applyOverrides, type SpecOverrides } from '../spec/overrides';
import type { ModelSpec } from '../spec/model-spec';
import { firstTrainedIndex, type TrainedLayers } from '../train/fine-tune';
import { resolveSpec } from '../spec/resolve';
import { validateSpec } from '../spec/validate-spec';
import { createRng, shuffleInPlace } from '../util/rng';
import { normalName } from './files';
import type { ScannedDataset } from './scan';

/** The automatic class of a run that starts from a sound base; never announced in Live. */
export const OTHER_SOUNDS = 'other sounds';

/** Whether a class name is the automatic "other sounds" class (compared as names are: NFC, any case). */
export function isOtherSoundsClass(name: string): boolean {
  return normalName(name).toLowerCase() === OTHER_SOUNDS;
}

export interface Base {
  /** File name without extension, e.g. "keyword-base". */
  name: string;
  /** CRC-32 of the model file's contents, 8 hex digits: which base a run started from. */
  hash: string;
  contents: ModelContents;
  /** One-second clips at the base's sample rate, and the word or phrase each holds. */
  others: { clips: Float32Array[]; words: string[] };
  /** The base's training record (free-form JSON written by make-base). */
  record: Record<string, unknown>;
}

/** What a run starts from: `base:<name>@<hash>`, or `scratch`. */
export function startedFromLabel(base: Base | undefined): string {
  return base ? `base:${base.name}@${base.hash}` : 'scratch';
}

/** A run's start: the base and which of its layers train. */
export interface FromBase {
  base: Base;
  train: TrainedLayers;
}

/** Thrown when a base's files are missing, damaged or disagree with each other. */
export class BaseError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BaseError';
  }
}

const MAX_OTHER_CLIPS = 4096;

/**
 * Reads a base from its three files' bytes. Throws BaseError naming the file and the problem
 * (a ModelFileError's message for the model itself).
 */
export function decodeBase(
  name: string,
  files: { model: Uint8Array; others?: Uint8Array; record: string }
): Base {
  let contents: ModelContents;
  try {
    contents = decodeModel(files.model);
  } catch (e) {
    if (e instanceof ModelFileError) throw new BaseError(`${name}.qnm: ${e.message}`);
    throw e;
  }
  if (contents.tensors.length === 0) {
    throw new BaseError(
      `${name}.qnm holds only the integer network; a base needs its float weights`
    );
  }
  let record: Record<string, unknown>;
  try {
    record = JSON.parse(files.record) as Record<string, unknown>;
  } catch (e) {
    throw new BaseError(`${name}.json is not JSON: ${(e as Error).message}`);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new BaseError(`${name}.json must hold an object`);
  }
  const others = { clips: [] as Float32Array[], words: [] as string[] };
  if (files.others) {
    const words = (record.others as { words?: unknown } | undefined)?.words;
    if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) {
      throw new BaseError(`${name}.json: others.words must list the word of every pack clip`);
    }
    if (words.length > MAX_OTHER_CLIPS) {
      throw new BaseError(`${name}.json: ${words.length} pack clips, at most ${MAX_OTHER_CLIPS}`);
    }
    const features = contents.spec.features as { sampleRate?: number; clipSeconds?: number };
    const rate = features.sampleRate ?? 16000;
    const length = Math.round(rate * (features.clipSeconds ?? 1));
    const audio = decodeWav(files.others, `${name}.others.wav`);
    if (audio.sampleRate !== rate) {
      throw new BaseError(
        `${name}.others.wav is at ${audio.sampleRate} Hz, the base needs ${rate}`
      );
    }
    const mono = toMono(audio);
    if (mono.length !== words.length * length) {
      throw new BaseError(
        `${name}.others.wav holds ${mono.length} samples; ${words.length} clips need ${words.length * length}`
      );
    }
    for (let i = 0; i < words.length; i++) {
      others.clips.push(mono.slice(i * length, (i + 1) * length));
      others.words.push(words[i] as string);
    }
  }
  // The CRC-32 of the file's contents, as the file stores it in its last four bytes (a CRC over
  // the whole file, its own CRC included, is the same constant for every file).
  const hash = crc32(files.model.subarray(0, files.model.length - 4))
    .toString(16)
    .padStart(8, '0');
  return { name, hash, contents, others, record };
}

/**
 * The spec of a run that starts from `base`: the base's layers, feature settings (its
 * standardisation included) and training defaults, with the person's network-wide settings
 * (weight bits and scheme, activation bits, k-WTA fraction) on the layers that `train` trains;
 * the layers below keep the base's. Throws SpecError when the result is not a valid spec.
 */
export function specFromBase(
  base: Base,
  overrides: SpecOverrides,
  train: TrainedLayers
): ModelSpec {
  const spec = applyOverrides(base.contents.spec, overrides);
  // Layers that don't train keep every quantization setting the base was trained with: their
  // stored activation ranges, batch-norm statistics and k-WTA duty cycles hold only for those,
  // and rounding their float weights another way (other bits, exponential or k-means levels)
  // would change the features the head learns on without any training to make up for it.
  const frozen = firstTrainedIndex(spec.layers, train);
  const served = resolveSpec(base.contents.spec, 2).layers;
  spec.layers = spec.layers.map((layer, i) => {
    if (i >= frozen) return layer;
    const r = served[i];
    switch (layer.type) {
      case 'conv':
      case 'dense':
        return { ...layer, weightBits: r.weightBits, weightScheme: r.weightScheme };
      case 'relu':
      case 'avgpool':
      case 'gap':
        return { ...layer, actBits: r.actBits };
      case 'kwta': {
        const own = base.contents.spec.layers[i];
        return own.type === 'kwta' ? { ...layer, fraction: own.fraction } : layer;
      }
      default:
        return layer;
    }
  });
  return validateSpec(spec, `${base.name} with the run's settings`);
}

/**
 * Adds the automatic "other sounds" class to a scanned sound dataset: `count` clips of the base's
 * pack, drawn with `seed`, leaving out every clip whose word is one of the project's classes.
 * Clips are named `other sounds/<word> <n>` (one name each, so folds keep none together). When
 * the project already has a class of that name its clips are added to it. Returns a new dataset.
 */
export function addOtherSounds(
  scanned: ScannedDataset,
  base: Base,
  count: number,
  seed: number
): ScannedDataset {
  const own = new Set(scanned.labels.map((l) => normalName(l).toLowerCase()));
  const pool = base.others.words
    .map((w, i) => ({ w, i }))
    .filter(({ w }) => !own.has(normalName(w).toLowerCase()));
  shuffleInPlace(pool, createRng(seed ^ 0x07e5));
  const chosen = pool.slice(0, Math.max(0, Math.min(count, pool.length)));
  if (chosen.length === 0) return scanned;
  let label = scanned.labels.findIndex(isOtherSoundsClass);
  const labels = scanned.labels.slice();
  const counts = scanned.counts.slice();
  if (label < 0) {
    label = labels.length;
    labels.push(OTHER_SOUNDS);
    counts.push(0);
  }
  counts[label] += chosen.length;
  const items = [
    ...scanned.items,
    ...chosen.map(({ w, i }, n) => ({
      label,
      file: `${OTHER_SOUNDS}/${w} ${n + 1}`,
      samples: base.others.clips[i],
      automatic: true
    }))
  ];
  return { ...scanned, labels, counts, items };
}
