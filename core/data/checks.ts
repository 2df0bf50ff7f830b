/**
 * What a person should hear about their data before trusting a result: classes with too few
 * clips, heavy imbalance, classes of silent clips, clips that are the same take again, and exact
 * duplicates. Each warning names the class and a few files. Thresholds are rules of thumb, stated
 * with each check; none of them stops training.
 */
import { peakOf } from '../features/level';
import type { FeatureSettings, ScannedDataset } from './dataset';
import { sameTakeScore, takePrint } from './similarity';

export type WarningKind = 'few-clips' | 'imbalance' | 'silent' | 'near-identical' | 'duplicates';

export interface DatasetWarning {
  kind: WarningKind;
  /** One sentence for the person, naming the class and up to three files. */
  message: string;
  className?: string;
}

/** Fewer clips than this in a class: too few to learn from or to judge a model by. */
export const MIN_CLIPS = 5;
/** Largest class over smallest class above this: the model leans towards the large class. */
export const MAX_IMBALANCE = 3;
/** A clip whose peak stays below −40 dBFS (0.01 of full scale) holds no usable sound. */
export const SILENT_PEAK = 0.01;
/**
 * Two clips of a class whose waveforms correlate at least this much (peak normalised
 * cross-correlation, see similarity.ts) are the same take. On espeak-ng words (checks.test keeps
 * it true) one take again, shifted by 2–70 ms with uniform noise up to ±0.01, scores above it and
 * the same word in 19 different voices below 0.7.
 */
export const SAME_TAKE = 0.9;
/**
 * The same-take check compares every pair of a class (about 1 ms a pair) up to this many clips;
 * larger classes are past the first-project stage it is for.
 */
const MAX_PAIRWISE = 40;

/**
 * The files of `clips` (item indices) for a message, each once however many clips it gave, by its
 * path within its class folder: "a.wav, day 2/a.wav, b.wav and 4 more".
 */
function names(items: ScannedDataset['items'], clips: number[]): string {
  const shown = new Map<string, string>();
  for (const i of clips) {
    const { file, entry } = items[i];
    if (!shown.has(file)) {
      shown.set(
        file,
        entry ? entry.slice(entry.indexOf('/') + 1) : (file.split(/[\\/]/).pop() ?? file)
      );
    }
  }
  const list = [...shown.values()];
  return list.length <= 3
    ? list.join(', ')
    : `${list.slice(0, 3).join(', ')} and ${list.length - 3} more`;
}

/** FNV-1a over the bytes of a float array: equal contents, equal hash. */
function hash(x: Float32Array): string {
  const bytes = new Uint8Array(x.buffer, x.byteOffset, x.byteLength);
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  for (let i = 0; i < bytes.length; i++) {
    h1 = Math.imul(h1 ^ bytes[i], 0x01000193);
    h2 = Math.imul(h2 ^ bytes[i], 0x5bd1e995);
  }
  return `${(h1 >>> 0).toString(16)}${(h2 >>> 0).toString(16)}:${x.length}`;
}

/**
 * Clips that are not independent recordings, as item indices of a scanned dataset: exact copies
 * (each set of equal clips) and same-take twins (pairs scoring ≥ {@link SAME_TAKE}). The warnings
 * name them; cross-validation keeps each set in one fold (groups.ts).
 */
export interface Repeats {
  copies: number[][];
  sameTake: [number, number][];
}

/** The warnings for a scanned dataset, in a stable order (by check, then by class). */
export function datasetWarnings(
  scanned: ScannedDataset,
  settings: FeatureSettings
): DatasetWarning[] {
  return datasetChecks(scanned, settings).warnings;
}

/** {@link datasetWarnings} and the {@link Repeats} behind its same-take and copy warnings. */
export function datasetChecks(
  scanned: ScannedDataset,
  settings: FeatureSettings
): { warnings: DatasetWarning[]; repeats: Repeats } {
  const out: DatasetWarning[] = [];
  const repeats: Repeats = { copies: [], sameTake: [] };
  const { labels, items, counts } = scanned;
  const audio = settings.kind === 'logmel';
  const noun = audio ? 'clip' : 'picture';
  const unit = (n: number) => `${n} ${noun}${n === 1 ? '' : 's'}`;
  labels.forEach((c, i) => {
    if (counts[i] < MIN_CLIPS) {
      out.push({
        kind: 'few-clips',
        className: c,
        message: `class "${c}" has only ${unit(counts[i])}: ${audio ? 'record' : 'take'} at least ${MIN_CLIPS} (20 or more for a trustworthy accuracy)`
      });
    }
  });
  const present = counts.filter((n) => n > 0);
  const most = Math.max(...present);
  const least = Math.min(...present);
  if (least > 0 && most / least > MAX_IMBALANCE) {
    const big = labels[counts.indexOf(most)];
    const small = labels[counts.indexOf(least)];
    out.push({
      kind: 'imbalance',
      message: `classes are unbalanced: "${big}" has ${unit(most)}, "${small}" ${unit(least)} (${(most / least).toFixed(1)} : 1); the model will lean towards "${big}"`
    });
  }
  const silent = new Set<number>();
  if (audio) {
    labels.forEach((c, label) => {
      if (label === scanned.backgroundLabel) return; // a quiet room is a fine background
      const mine = items.map((_, i) => i).filter((i) => items[i].label === label);
      const quiet = mine.filter((i) => peakOf(items[i].samples!) < SILENT_PEAK);
      quiet.forEach((i) => silent.add(i));
      if (quiet.length > 0) {
        out.push({
          kind: 'silent',
          className: c,
          message: `class "${c}": ${quiet.length} of ${unit(mine.length)} ${quiet.length === 1 ? 'is' : 'are'} silent (peak below −40 dBFS): ${names(
            items,
            quiet
          )} — was the microphone muted or too far away?`
        });
      }
    });
  }
  const background = (i: number) => items[i].label === scanned.backgroundLabel;
  const skip = (i: number) => silent.has(i) || (audio && background(i));
  const keys = items.map((it, i) => (skip(i) ? '' : hash(it.samples ?? it.features!)));
  labels.forEach((c, label) => {
    if (!audio || label === scanned.backgroundLabel) return;
    const mine = items.map((_, i) => i).filter((i) => items[i].label === label && !silent.has(i));
    if (mine.length < 2 || mine.length > MAX_PAIRWISE) return;
    const prints = mine.map((i) => takePrint(items[i].samples!));
    const alike = new Set<number>();
    for (let a = 0; a < mine.length; a++)
      for (let b = a + 1; b < mine.length; b++) {
        // Exact copies are reported as duplicates below.
        if (keys[mine[a]] === keys[mine[b]]) continue;
        if (sameTakeScore(prints[a], prints[b]) >= SAME_TAKE) {
          alike.add(a).add(b);
          repeats.sameTake.push([mine[a], mine[b]]);
        }
      }
    if (alike.size > 0) {
      out.push({
        kind: 'near-identical',
        className: c,
        message: `class "${c}": ${alike.size} of ${unit(counts[label])} are the same take as another (${names(
          items,
          [...alike].sort((a, b) => a - b).map((k) => mine[k])
        )}); record each clip anew, varying the voice, distance and room`
      });
    }
  });
  // Copies: one line per class for the sets within it, one for the sets across classes.
  const seen = new Map<string, number[]>();
  keys.forEach((key, i) => key && seen.set(key, [...(seen.get(key) ?? []), i]));
  const within = labels.map((): number[] => []);
  const across: number[] = [];
  for (const group of seen.values()) {
    if (group.length < 2) continue;
    repeats.copies.push(group);
    const label = items[group[0]].label;
    if (group.every((i) => items[i].label === label)) within[label].push(...group);
    else across.push(...group);
  }
  within.forEach((clips, label) => {
    if (clips.length === 0) return;
    out.push({
      kind: 'duplicates',
      className: labels[label],
      message: `class "${labels[label]}": ${clips.length} of ${unit(counts[label])} are exact copies of another: ${names(
        items,
        clips.sort((a, b) => a - b)
      )}`
    });
  });
  if (across.length > 0) {
    across.sort((a, b) => a - b);
    const classes = [...new Set(across.map((i) => items[i].label))].sort((a, b) => a - b);
    out.push({
      kind: 'duplicates',
      message: `${across.length} ${noun}s are exact copies of a ${noun} in another class: ${names(items, across)} (classes ${classes.map((l) => labels[l]).join(', ')})`
    });
  }
  return { warnings: out, repeats };
}
