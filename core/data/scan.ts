/**
 * A dataset folder (DESIGN.md: one folder per class; a class folder is everything under it) →
 * usable clips and images, with every file accounted for:
 * - `problems`: files meant as data that can't be read (a broken WAV, a text file named .wav);
 *   training stops on them unless told to skip;
 * - `ignored`: files that are not data of this modality (a cover .jpg among recordings, a
 *   README.txt); reported, never fatal;
 * - `notes`: what was done with a file that a person would want to know ("24 clips", "the file
 *   ended early", "the channels cancel").
 * OS leftovers (.DS_Store, Thumbs.db, __MACOSX …) are neither classes nor files. Class names are
 * compared in Unicode NFC; names differing only by case are an error naming both.
 */
import { decodeImage, imageFeatures, sniffImage, type ImageSettings } from '../features/image';
import { sniffAudio } from '../features/audio';
import type { LogMelSettings } from '../features/logmel';
import { audioClips } from './clips';
import { isBackgroundClass, isOsLeftover, modalityOf, nameClashes, normalName } from './files';

export type FeatureSettings = LogMelSettings | ImageSettings;

export interface DatasetSource {
  /** Class folder names. */
  classes(): Promise<string[]>;
  /** Files under one class folder, at any depth, as paths relative to it ('a.wav', 'take 2/b.wav'). */
  files(className: string): Promise<string[]>;
  read(className: string, file: string): Promise<Uint8Array>;
  /** How a file is named in messages (e.g. its path). */
  describe(className: string, file: string): string;
  /**
   * When a file was last written, ms since 1970 (a folder's mtime; the app's recordings are
   * written when recorded); undefined where the source doesn't know. Used to tell one session.
   */
  modified?(className: string, file: string): Promise<number | undefined>;
  /**
   * A file at the dataset root beside the class folders (Speech Commands' `testing_list.txt`),
   * undefined when there is none.
   */
  rootFile?(name: string): Promise<Uint8Array | undefined>;
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

export { isBackgroundClass };

/** One usable clip or image before feature extraction (audio kept as samples at the preset rate). */
export interface RawItem {
  label: number;
  /** The file as messages name it ({@link DatasetSource.describe}). */
  file: string;
  /** The file as `<class folder>/<path in it>` with '/' separators (Speech Commands' lists). */
  entry?: string;
  /** When the file was last written, ms since 1970, where the source knows. */
  modifiedMs?: number;
  /** Where in the file the clip starts, seconds (audio files cut into several clips). */
  at?: number;
  /** Audio: `samples` 1 s at the preset rate. Image: the feature tensor directly. */
  samples?: Float32Array;
  features?: Float32Array;
  /** Added by the run itself, not the person's (a base's "other sounds"). */
  automatic?: boolean;
}

export interface ScannedDataset {
  labels: string[];
  items: RawItem[];
  problems: Problem[];
  ignored: Problem[];
  notes: Problem[];
  /** Items per class, in label order. */
  counts: number[];
  /** Audio of the background class at the preset rate (for mixing), when there is one. */
  background: Float32Array[];
  /** The background class's label, when there is one. */
  backgroundLabel?: number;
}

export interface ScanOptions {
  /** Labels in this order (a model's classes); unknown class folders are then an error. */
  labels?: string[];
  /**
   * The class whose recordings are background noise: a name, null for none, or undefined for the
   * default (a class named background, _background_noise_ or noise).
   */
  backgroundClass?: string | null;
  onProgress?: (done: number, total: number, file: string) => void;
}

function reason(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

const quote = (names: string[]) => names.map((c) => JSON.stringify(c)).join(', ');

/** Class folders → labels (NFC), checked for clashes and against a model's labels. */
async function classFolders(
  source: DatasetSource,
  options: ScanOptions
): Promise<{ labels: string[]; folderOf: Map<number, string> }> {
  const folders = (await source.classes()).filter((c) => !isOsLeftover(c)).sort();
  const clashes = nameClashes(folders);
  if (clashes.length) {
    throw new DatasetError(
      clashes
        .map(([a, b]) => `class folders ${quote([a, b])} differ only in case or accents`)
        .join('; ') + ': merge them or rename one'
    );
  }
  const found = folders.map(normalName);
  let labels = found;
  if (options.labels) {
    const known = options.labels.map(normalName);
    const unknown = found.filter((c) => !known.includes(c));
    if (unknown.length) {
      throw new DatasetError(
        `class folder(s) ${quote(unknown)} are not classes of the model (${options.labels.join(', ')})`
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
  const folderOf = new Map<number, string>();
  labels.forEach((l, i) => {
    const at = found.indexOf(normalName(l));
    if (at >= 0) folderOf.set(i, folders[at]);
  });
  return { labels, folderOf };
}

function backgroundLabelOf(labels: string[], options: ScanOptions): number | undefined {
  if (options.backgroundClass === null) return undefined;
  if (options.backgroundClass !== undefined) {
    const at = labels.findIndex((l) => normalName(l) === normalName(options.backgroundClass!));
    if (at < 0) {
      throw new DatasetError(
        `the background class ${JSON.stringify(options.backgroundClass)} is not a class of this dataset (${labels.join(', ')})`
      );
    }
    return at;
  }
  const at = labels.findIndex(isBackgroundClass);
  return at < 0 ? undefined : at;
}

/**
 * Reads every file of every class. Audio becomes clips at the preset rate; images become feature
 * tensors. Throws DatasetError when the dataset as a whole can't be used (fewer than two classes,
 * clashing names, an empty class); per-file outcomes are in `problems`, `ignored` and `notes`.
 */
export async function scanDataset(
  source: DatasetSource,
  settings: FeatureSettings,
  options: ScanOptions = {}
): Promise<ScannedDataset> {
  const { labels, folderOf } = await classFolders(source, options);
  const audio = settings.kind === 'logmel';
  const backgroundLabel = audio ? backgroundLabelOf(labels, options) : undefined;
  const listing: [number, string][] = [];
  for (const [label, folder] of [...folderOf.entries()].sort((a, b) => a[0] - b[0])) {
    const files = (await source.files(folder))
      .filter((f) => !f.split('/').some(isOsLeftover))
      .sort();
    if (files.length === 0 && !options.labels) {
      throw new DatasetError(`class folder ${JSON.stringify(folder)} is empty`);
    }
    for (const f of files) listing.push([label, f]);
  }
  const out: ScannedDataset = {
    labels,
    items: [],
    problems: [],
    ignored: [],
    notes: [],
    counts: new Array<number>(labels.length).fill(0),
    background: [],
    backgroundLabel
  };
  let done = 0;
  for (const [label, file] of listing) {
    const folder = folderOf.get(label)!;
    const where = source.describe(folder, file);
    options.onProgress?.(done++, listing.length, where);
    const stray = strayReason(file, audio);
    if (stray === 'other') {
      out.ignored.push({
        file: where,
        reason: audio ? 'a picture among sound files: not used' : 'a sound among pictures: not used'
      });
      continue;
    }
    try {
      const bytes = await source.read(folder, file);
      if (stray === 'unknown' && !(audio ? sniffAudio(bytes) : sniffImage(bytes))) {
        out.ignored.push({ file: where, reason: `not ${audio ? 'a sound' : 'an image'} file` });
        continue;
      }
      const modifiedMs = await source.modified?.(folder, file);
      const about = {
        entry: `${folder}/${file}`,
        ...(modifiedMs === undefined ? {} : { modifiedMs })
      };
      if (audio) {
        const settingsA = settings as LogMelSettings;
        const bg = label === backgroundLabel;
        const cut = await audioClips(bytes, where, settingsA, bg);
        if (bg) out.background.push(cut.samples);
        cut.clips.forEach((samples, k) =>
          out.items.push({
            label,
            file: where,
            ...about,
            at: cut.starts[k] / settingsA.sampleRate,
            samples
          })
        );
        out.counts[label] += cut.clips.length;
        for (const w of cut.warnings) out.notes.push({ file: where, reason: w });
        if (cut.clips.length > 1 && !bg) {
          out.notes.push({ file: where, reason: `${cut.clips.length} clips` });
        }
      } else {
        const image = settings as ImageSettings;
        const features = imageFeatures(decodeImage(bytes, image.background ?? 1), image);
        out.items.push({ label, file: where, ...about, features });
        out.counts[label]++;
      }
    } catch (e) {
      out.problems.push({ file: where, reason: reason(e) });
    }
  }
  options.onProgress?.(listing.length, listing.length, '');
  if (!options.labels) {
    const empty = labels.filter((_, i) => out.counts[i] === 0);
    if (empty.length) {
      throw new DatasetError(`class folder(s) ${quote(empty)} hold no usable files`, [
        ...out.problems,
        ...out.ignored
      ]);
    }
  }
  return out;
}

/** 'other': a file of the other modality; 'unknown': no known extension; undefined: ours. */
function strayReason(file: string, audio: boolean): 'other' | 'unknown' | undefined {
  const m = modalityOf(file);
  if (m === undefined) return 'unknown';
  return (m === 'audio') === audio ? undefined : 'other';
}
