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
 *   are one burst, unless they show different backgrounds ({@link SAME_BACKGROUND}: a copied
 *   project has every file written within seconds, yet its bursts taken at other places stay
 *   apart); files named as frames of a numbered burst (`burst-3-017.png`, Android's
 *   `…_BURST20240101120000123.jpg`) are one burst by their names;
 * - pictures that are near copies of each other, whatever their names and times (similarity.ts:
 *   the same scene re-encoded, the camera moved by a few pixels, the exposure a little off).
 */
import type { Repeats } from './checks';
import type { FeatureSettings, RawItem, ScannedDataset } from './scan';
import { backgroundDistance, pictureDistance, picturePrint, type PicturePrint } from './similarity';

export type GroupReason = 'file' | 'copy' | 'same-take' | 'speaker' | 'burst' | 'near-copy';

/**
 * Two frames with consecutive numbers written at most this far apart are one burst. The app grabs
 * a burst's frames first and then saves them one after another (CameraCapture.svelte), each save a
 * PNG encode and one request (well under a second); the next burst starts with a key press and
 * takes its own grabbing time (0.9 s by default) before its first frame is saved.
 */
export const BURST_GAP_MS = 2000;
/**
 * Pictures of one class at most this far apart (similarity.ts pictureDistance) are near copies.
 * Measured in groups.test on drawn 320×240 scenes: the same frame re-encoded as JPEG, taken again
 * with new noise, with the camera moved by up to 10 pixels or the exposure ±5 % stay under 0.035;
 * another object in the same place, the same object in another colour or on another background,
 * or the empty scene, lie over 0.08.
 */
export const NEAR_COPY_DISTANCE = 0.05;
/**
 * Pictures whose print varies less than this (PicturePrint.structure, about 5 levels of 255)
 * are plain fields: nothing in them tells a copy from another picture of the same wall. (Drawn
 * scenes vary by over 0.035 in colour; a plain field with ±15 levels of noise, 0.011.)
 */
export const MIN_STRUCTURE = 0.02;
/**
 * Pictures whose borders are at most this far apart (similarity.ts backgroundDistance) show one
 * background. In groups.test's drawn scenes, one place with another object, or the object
 * elsewhere, stays under 0.015; two places (random colours and patterns) lie over 0.045.
 */
export const SAME_BACKGROUND = 0.025;
/** The near-copy check compares every pair of a class up to this many pictures. */
const MAX_NEAR_COPY_PAIRS_CLASS = 400;
/** The one-background check compares pairs of at most this many pictures (evenly picked). */
const MAX_BACKGROUND_SAMPLE = 150;

/** Groups of item indices: a group id (0 … count−1) per item and what joined them. */
export interface Independence {
  group: Int32Array;
  count: number;
  /** Per reason, how many joins it made between groups that were apart (0 reasons omitted). */
  joined: Partial<Record<GroupReason, number>>;
  /** Distinct speakers named by Speech Commands file names (0: the names say none). */
  speakers: number;
  /**
   * Pictures: the share of pairs of the person's pictures (background class included, at most
   * {@link MAX_BACKGROUND_SAMPLE} of them) that show one background ({@link SAME_BACKGROUND});
   * undefined for sounds or fewer than two classes with pictures.
   */
  sharedBackground?: number;
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

/**
 * The burst a file's name says it is a frame of: `burst-3-017.png` → "3", `cat burst2_05.jpg` →
 * "2", Android's `00012IMG_00012_BURST20240101120000123.jpg` → "20240101120000123". Undefined
 * when the name holds no number after "burst", or no other number (`burst-017.png` numbers a
 * frame, not a burst).
 */
export function burstOf(file: string): string | undefined {
  const base = (file.split(/[\\/]/).pop() ?? file).replace(/\.[a-z0-9]+$/i, '');
  const m = /(?:^|[^a-z])burst[\s_-]*(\d+)/i.exec(base);
  if (!m) return undefined;
  const rest = base.slice(0, m.index) + base.slice(m.index + m[0].length);
  return /\d/.test(rest) ? m[1] : undefined;
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

/** The size of a picture's features, [height, width, channels]. */
type PictureShape = Pick<
  Extract<FeatureSettings, { kind: 'image' }>,
  'height' | 'width' | 'channels'
>;

/** Prints of pictures, made when first asked for (undefined for an item without features). */
class Prints {
  private readonly made = new Map<number, PicturePrint | undefined>();
  constructor(
    private readonly items: RawItem[],
    private readonly shape: PictureShape
  ) {}
  of(i: number): PicturePrint | undefined {
    if (!this.made.has(i)) {
      const f = this.items[i].features;
      const { height, width, channels } = this.shape;
      this.made.set(
        i,
        f && f.length === height * width * channels
          ? picturePrint(f, height, width, channels)
          : undefined
      );
    }
    return this.made.get(i);
  }
  /** Forgets the prints of `indices` (a class done with). */
  drop(indices: number[]): void {
    for (const i of indices) this.made.delete(i);
  }
}

/**
 * Pairs of pictures of one class that are near copies: prints at most {@link NEAR_COPY_DISTANCE}
 * apart, both with some structure ({@link MIN_STRUCTURE}: two plain fields of one colour are not
 * near copies, whatever their noise). `shape`: the features' [height, width, channels]. Pictures
 * already joined through others are not compared again: the pairs join the same sets as all of
 * them would.
 */
export function nearCopyPairs(
  items: RawItem[],
  shape: PictureShape,
  prints = new Prints(items, shape)
): [number, number][] {
  const byClass = new Map<number, number[]>();
  items.forEach((it, i) => {
    if (!it.features) return;
    byClass.set(it.label, [...(byClass.get(it.label) ?? []), i]);
  });
  const out: [number, number][] = [];
  for (const mine of byClass.values()) {
    if (mine.length < 2 || mine.length > MAX_NEAR_COPY_PAIRS_CLASS) continue;
    const p = mine.map((i) => prints.of(i));
    const sets = new UnionFind(mine.length);
    for (let a = 0; a < mine.length; a++) {
      const x = p[a];
      if (!x || x.structure < MIN_STRUCTURE) continue;
      for (let b = a + 1; b < mine.length; b++) {
        const y = p[b];
        if (!y || y.structure < MIN_STRUCTURE || sets.find(a) === sets.find(b)) continue;
        if (pictureDistance(x, y, NEAR_COPY_DISTANCE) <= NEAR_COPY_DISTANCE) {
          sets.union(a, b);
          out.push([mine[a], mine[b]]);
        }
      }
    }
    prints.drop(mine);
  }
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
  const shape = settings.kind === 'image' ? settings : undefined;
  const prints = shape && new Prints(items, shape);
  for (const [a, b] of burstPairs(scanned, prints)) join(a, b, 'burst');
  if (shape) {
    for (const [a, b] of nearCopyPairs(items, shape, prints)) join(a, b, 'near-copy');
  }
  const ids = new Map<number, number>();
  const group = new Int32Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const root = uf.find(i);
    if (!ids.has(root)) ids.set(root, ids.size);
    group[i] = ids.get(root)!;
  }
  const sharedBackground = prints && backgroundShare(scanned, prints);
  return {
    group,
    count: ids.size,
    joined,
    speakers: speakers.size,
    ...(sharedBackground === undefined ? {} : { sharedBackground })
  };
}

/**
 * The share of pairs of the person's pictures (at most {@link MAX_BACKGROUND_SAMPLE}, evenly
 * picked) whose borders show one background; undefined unless pictures of two classes or more.
 */
function backgroundShare(scanned: ScannedDataset, prints: Prints): number | undefined {
  const mine = scanned.items
    .map((it, i) => (it.automatic || !it.features ? -1 : i))
    .filter((i) => i >= 0);
  if (new Set(mine.map((i) => scanned.items[i].label)).size < 2) return undefined;
  const count = Math.min(mine.length, MAX_BACKGROUND_SAMPLE);
  const picked = Array.from({ length: count }, (_, k) =>
    prints.of(mine[Math.floor((k * mine.length) / count)])
  ).filter((p): p is PicturePrint => p !== undefined);
  let same = 0;
  let pairs = 0;
  for (let a = 0; a < picked.length; a++)
    for (let b = a + 1; b < picked.length; b++) {
      pairs++;
      if (backgroundDistance(picked[a], picked[b]) <= SAME_BACKGROUND) same++;
    }
  return pairs ? same / pairs : undefined;
}

/**
 * Pairs of pictures of one burst: consecutive app-named frames of a class written within
 * {@link BURST_GAP_MS} of each other that show one background ({@link SAME_BACKGROUND}; without
 * `prints`, times alone), and frames of a class whose names give the same burst number.
 */
function burstPairs(scanned: ScannedDataset, prints?: Prints): [number, number][] {
  const frames: { i: number; n: number; label: number; t: number }[] = [];
  const named = new Map<string, number>();
  const out: [number, number][] = [];
  scanned.items.forEach((it, i) => {
    if (!it.features) return;
    const burst = burstOf(it.entry ?? it.file);
    if (burst !== undefined) {
      const key = `${it.label}\u0000${burst}`;
      const first = named.get(key);
      if (first === undefined) named.set(key, i);
      else out.push([first, i]);
    }
    if (it.modifiedMs === undefined) return;
    const n = frameNumber(it.file, scanned.labels[it.label]);
    if (n !== undefined) frames.push({ i, n, label: it.label, t: it.modifiedMs });
  });
  frames.sort((a, b) => a.label - b.label || a.n - b.n);
  for (let j = 1; j < frames.length; j++) {
    const [p, q] = [frames[j - 1], frames[j]];
    if (p.label !== q.label || q.n !== p.n + 1 || Math.abs(q.t - p.t) > BURST_GAP_MS) continue;
    const [a, b] = [prints?.of(p.i), prints?.of(q.i)];
    prints?.drop([p.i]); // each frame meets only its neighbours
    if (a && b && backgroundDistance(a, b) > SAME_BACKGROUND) continue;
    out.push([p.i, q.i]);
  }
  prints?.drop(frames.map((f) => f.i));
  return out;
}

/** All of a project's clips within this long of each other: one recording session. */
export const ONE_SESSION_MS = 10 * 60 * 1000;
/** At most this many source files per class: the clips were cut from a handful of takes. */
export const FEW_TAKES = 2;

/** At least this share of pairs of pictures on one background: the project shows one background. */
export const ONE_BACKGROUND_SHARE = 0.9;

/**
 * Why every clip of the dataset looks like one recording session or, for pictures, one scene, or
 * undefined when it doesn't. Pictures: each class (background class aside) is a single group of
 * frames (one burst, or near copies: `independence.group`), or at least
 * {@link ONE_BACKGROUND_SHARE} of pairs of pictures show one background
 * (`independence.sharedBackground`). Then, for both: the files (background class aside: it is
 * meant to be one room) were all written within {@link ONE_SESSION_MS} of each other, or every
 * class was cut from at most {@link FEW_TAKES} files. Files named by several Speech Commands
 * speakers are never one session. A copied folder gets new write times: the evidence is worded
 * as what it is.
 */
export function oneSessionEvidence(
  scanned: ScannedDataset,
  independence: Pick<Independence, 'speakers'> &
    Partial<Pick<Independence, 'group' | 'sharedBackground'>>
): string | undefined {
  if (independence.speakers > 1) return undefined;
  // The person's own clips: not the background, nor what the run added (a base's other sounds).
  const own = scanned.items
    .map((it, i) => (it.automatic ? -1 : i))
    .filter((i) => i >= 0 && scanned.items[i].label !== scanned.backgroundLabel);
  const mine = own.map((i) => scanned.items[i]);
  if (mine.length < 2) return undefined;
  const audio = mine.some((it) => it.samples);
  const unit = audio ? 'clips' : 'pictures';
  if (!audio && independence.group) {
    const groupsOf = new Map<number, Set<number>>();
    for (const i of own) {
      const label = scanned.items[i].label;
      groupsOf.set(label, (groupsOf.get(label) ?? new Set()).add(independence.group[i]));
    }
    if (groupsOf.size < mine.length && [...groupsOf.values()].every((g) => g.size === 1)) {
      return groupsOf.size === 1
        ? `the ${mine.length} pictures are one burst or set of near copies`
        : `the ${mine.length} pictures are one burst or set of near copies per class`;
    }
  }
  const shared = independence.sharedBackground;
  if (!audio && shared !== undefined && shared >= ONE_BACKGROUND_SHARE) {
    const all = scanned.items.filter((it) => !it.automatic).length;
    return `${shared === 1 ? 'all' : 'almost all'} ${all} pictures show the same background`;
  }
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
 * (the app: Test on a recording, or pictures taken elsewhere; the CLI: `quench stream` on a
 * recording, `quench eval` on pictures).
 */
export function oneSessionText(evidence: string, audio: boolean, tryThis: string): string {
  if (audio) {
    return `all clips come from one session (${evidence}): this estimate can't tell how it does on another day, room or voice — ${tryThis}`;
  }
  return `the pictures show few scenes (${evidence}): this estimate can't tell how the model does on other backgrounds, places or light — ${tryThis}`;
}
