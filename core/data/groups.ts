/**
 * Which clips of a dataset are not independent of each other, so that an accuracy estimate never
 * judges a clip by a model trained on its twin (folds.ts keeps each group in one fold), and
 * whether the whole dataset comes from one recording session. Clips are joined when they are
 * - cut from one file (a long take);
 * - exact copies or the same take recorded again (checks.ts finds both and warns about them);
 * - said by one speaker, where the file names say so: Speech Commands names its files
 *   `<speaker hash>_nohash_<n>.wav` (Warden, "Speech Commands", arXiv:1804.03209, §4), across
 *   classes too;
 * - frames of one camera burst: the app names frames "<class> <n>.png" and saves a burst's frames
 *   one after another, so consecutive numbers written within {@link BURST_GAP_MS} of each other
 *   are one burst; and, where names or times don't tell, pictures that are near copies of each
 *   other (Pearson correlation of their features ≥ {@link NEAR_COPY}).
 */
import type { Repeats } from './checks';
import type { FeatureSettings, RawItem, ScannedDataset } from './scan';

export type GroupReason = 'file' | 'copy' | 'same-take' | 'speaker' | 'burst' | 'near-copy';

/**
 * Two frames with consecutive numbers written at most this far apart are one burst. The app grabs
 * a burst's frames first and then saves them one after another (CameraCapture.svelte), each save a
 * PNG encode and one request (well under a second); the next burst starts with a key press and
 * takes its own grabbing time (0.9 s by default) before its first frame is saved.
 */
export const BURST_GAP_MS = 2000;
/**
 * Pictures whose features correlate at least this much are near copies (one scene, one camera
 * position, only sensor noise between them). In groups.test, on 32×32 scenes with ±4 levels of
 * noise (what ±15 in a 160×120 webcam frame leaves after the area-averaging resize): the same
 * scene 0.994, its object moved by 1 px 0.884, by 3 px 0.664.
 */
export const NEAR_COPY = 0.97;
/** The near-copy check compares every pair of a class up to this many pictures. */
const MAX_NEAR_COPY_PAIRS_CLASS = 400;

/** Groups of item indices: a group id (0 … count−1) per item and what joined them. */
export interface Independence {
  group: Int32Array;
  count: number;
  /** Per reason, how many joins it made between groups that were apart (0 reasons omitted). */
  joined: Partial<Record<GroupReason, number>>;
  /** Distinct speakers named by Speech Commands file names (0: the names say none). */
  speakers: number;
}

/** The speaker hash of a Speech Commands file name (`0a7c2a8d_nohash_0.wav` → `0a7c2a8d`). */
export function speakerOf(file: string): string | undefined {
  const base = file.split(/[\\/]/).pop() ?? file;
  return /^([^_]+)_nohash_\d+\.[a-z0-9]+$/i.exec(base)?.[1];
}

/** The frame number of an app-named picture "<class> <n>.png" of class `className`, else undefined. */
export function frameNumber(file: string, className: string): number | undefined {
  const base = (file.split(/[\\/]/).pop() ?? file).normalize('NFC');
  const m = /^(.*) (\d+)\.(png|jpe?g)$/i.exec(base);
  return m && m[1] === className.normalize('NFC') ? Number(m[2]) : undefined;
}

class UnionFind {
  readonly parent: Int32Array;
  constructor(n: number) {
    this.parent = Int32Array.from({ length: n }, (_, i) => i);
  }
  find(i: number): number {
    while (this.parent[i] !== i) {
      this.parent[i] = this.parent[this.parent[i]];
      i = this.parent[i];
    }
    return i;
  }
  /** Joins the sets of a and b; true when they were apart. */
  union(a: number, b: number): boolean {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra === rb) return false;
    this.parent[Math.max(ra, rb)] = Math.min(ra, rb);
    return true;
  }
}

/**
 * Pairs of pictures of one class whose features ([h, w, channels] interleaved) correlate ≥
 * {@link NEAR_COPY}, each channel centred on its own mean: the spatial pattern is compared, so two
 * plain fields of one colour are not near copies, whatever their noise.
 */
export function nearCopyPairs(items: RawItem[], channels: number): [number, number][] {
  const byClass = new Map<number, number[]>();
  items.forEach((it, i) => {
    if (!it.features) return;
    byClass.set(it.label, [...(byClass.get(it.label) ?? []), i]);
  });
  const out: [number, number][] = [];
  for (const mine of byClass.values()) {
    if (mine.length < 2 || mine.length > MAX_NEAR_COPY_PAIRS_CLASS) continue;
    const unit = mine.map((i) => centredUnit(items[i].features!, channels));
    for (let a = 0; a < mine.length; a++)
      for (let b = a + 1; b < mine.length; b++) {
        const [x, y] = [unit[a], unit[b]];
        if (!x || !y || x.length !== y.length) continue;
        let dot = 0;
        for (let j = 0; j < x.length; j++) dot += x[j] * y[j];
        if (dot >= NEAR_COPY) out.push([mine[a], mine[b]]);
      }
  }
  return out;
}

/**
 * x (interleaved channels) minus each channel's mean, scaled to unit length; undefined for a
 * constant x (nothing to correlate).
 */
function centredUnit(x: Float32Array, channels: number): Float64Array | undefined {
  const mean = new Float64Array(channels);
  for (let i = 0; i < x.length; i++) mean[i % channels] += x[i];
  for (let c = 0; c < channels; c++) mean[c] /= x.length / channels;
  const out = new Float64Array(x.length);
  let norm = 0;
  for (let i = 0; i < x.length; i++) {
    out[i] = x[i] - mean[i % channels];
    norm += out[i] * out[i];
  }
  if (norm === 0) return undefined;
  const s = 1 / Math.sqrt(norm);
  for (let i = 0; i < out.length; i++) out[i] *= s;
  return out;
}

/**
 * The groups of clips that are not independent (module comment), from a scanned dataset and the
 * repeats its checks found. Pictures are also compared for near copies (O(n²) per class).
 */
export function independentGroups(
  scanned: ScannedDataset,
  repeats: Repeats,
  settings: FeatureSettings
): Independence {
  const { items } = scanned;
  const uf = new UnionFind(items.length);
  const joined: Partial<Record<GroupReason, number>> = {};
  const join = (a: number, b: number, why: GroupReason) => {
    if (uf.union(a, b)) joined[why] = (joined[why] ?? 0) + 1;
  };
  const firstOf = new Map<string, number>();
  items.forEach((it, i) => {
    const key = `${it.label}\u0000${it.file}`;
    const first = firstOf.get(key);
    if (first === undefined) firstOf.set(key, i);
    else join(first, i, 'file');
  });
  for (const set of repeats.copies) for (const i of set.slice(1)) join(set[0], i, 'copy');
  for (const [a, b] of repeats.sameTake) join(a, b, 'same-take');
  const speakers = new Map<string, number>();
  items.forEach((it, i) => {
    const who = speakerOf(it.entry ?? it.file);
    if (who === undefined) return;
    const first = speakers.get(who);
    if (first === undefined) speakers.set(who, i);
    else join(first, i, 'speaker');
  });
  for (const [a, b] of burstPairs(scanned)) join(a, b, 'burst');
  if (settings.kind === 'image') {
    for (const [a, b] of nearCopyPairs(items, settings.channels)) join(a, b, 'near-copy');
  }
  const ids = new Map<number, number>();
  const group = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const root = uf.find(i);
    if (!ids.has(root)) ids.set(root, ids.size);
    group[i] = ids.get(root)!;
  }
  return { group, count: ids.size, joined, speakers: speakers.size };
}

/** Consecutive app-named frames of a class written within {@link BURST_GAP_MS} of each other. */
function burstPairs(scanned: ScannedDataset): [number, number][] {
  const frames: { i: number; n: number; label: number; t: number }[] = [];
  scanned.items.forEach((it, i) => {
    if (!it.features || it.modifiedMs === undefined) return;
    const n = frameNumber(it.file, scanned.labels[it.label]);
    if (n !== undefined) frames.push({ i, n, label: it.label, t: it.modifiedMs });
  });
  frames.sort((a, b) => a.label - b.label || a.n - b.n);
  const out: [number, number][] = [];
  for (let j = 1; j < frames.length; j++) {
    const [p, q] = [frames[j - 1], frames[j]];
    if (p.label === q.label && q.n === p.n + 1 && Math.abs(q.t - p.t) <= BURST_GAP_MS) {
      out.push([p.i, q.i]);
    }
  }
  return out;
}

/** All of a project's clips within this long of each other: one recording session. */
export const ONE_SESSION_MS = 10 * 60 * 1000;
/** At most this many source files per class: the clips were cut from a handful of takes. */
export const FEW_TAKES = 2;

/**
 * Why every clip of the dataset looks like one recording session, or undefined when it doesn't:
 * the files (background class aside: it is meant to be one room) were all written within
 * {@link ONE_SESSION_MS} of each other, or every class was cut from at most {@link FEW_TAKES}
 * files. Files named by several Speech Commands speakers are never one session. A copied folder
 * gets new write times: the evidence is worded as what it is.
 */
export function oneSessionEvidence(
  scanned: ScannedDataset,
  independence: Pick<Independence, 'speakers'>
): string | undefined {
  if (independence.speakers > 1) return undefined;
  // The person's own clips: not the background, nor what the run added (a base's other sounds).
  const mine = scanned.items.filter((it) => it.label !== scanned.backgroundLabel && !it.automatic);
  if (mine.length < 2) return undefined;
  const audio = mine.some((it) => it.samples);
  const unit = audio ? 'clips' : 'pictures';
  const times = mine.map((it) => it.modifiedMs);
  if (times.every((t): t is number => t !== undefined)) {
    const span = Math.max(...times) - Math.min(...times);
    if (span <= ONE_SESSION_MS) {
      const minutes = Math.max(1, Math.ceil(span / 60_000));
      return `all ${mine.length} ${unit} were saved within ${minutes} minute${minutes === 1 ? '' : 's'}`;
    }
  }
  const filesPer = new Map<number, Set<string>>();
  for (const it of mine) filesPer.set(it.label, (filesPer.get(it.label) ?? new Set()).add(it.file));
  const files = [...filesPer.values()].reduce((a, s) => a + s.size, 0);
  if (files < mine.length && [...filesPer.values()].every((s) => s.size <= FEW_TAKES)) {
    return `all ${mine.length} ${unit} were cut from ${files} recording${files === 1 ? '' : 's'}`;
  }
  return undefined;
}

/**
 * The one-session note as the app and the CLI show it. `tryThis`: what the person can do instead
 * (the app: Test on a recording; the CLI: `quench stream` on one).
 */
export function oneSessionText(evidence: string, audio: boolean, tryThis: string): string {
  const other = audio ? 'another day, room or voice' : 'another day, place or light';
  return `all ${audio ? 'clips' : 'pictures'} come from one session (${evidence}): this estimate can't tell how it does on ${other} — ${tryThis}`;
}
