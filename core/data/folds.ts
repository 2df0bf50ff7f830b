/**
 * Which clips estimate a model's accuracy: k folds for cross-validation, or one held-out part.
 * Folds are stratified (every class spread over all folds) and grouped: when a class has at least
 * k source files, all clips cut from one file fall in the same fold, so a take is never judged by
 * a model trained on another part of the same take. A class with fewer files than folds (one long
 * background recording, say) is split into contiguous blocks of its clips instead.
 */
import { createRng, shuffleInPlace } from '../util/rng';

/** Below this many clips in some class, accuracy is estimated by k-fold cross-validation. */
export const CROSS_VALIDATE_BELOW = 20;
/** At most this many folds; fewer when the smallest class has fewer clips. */
export const MAX_FOLDS = 5;

/** The number of folds for classes of `counts` clips: min(5, smallest class), at least 2. */
export function foldCount(counts: number[]): number {
  const smallest = Math.min(...counts.filter((n) => n > 0));
  return Math.max(2, Math.min(MAX_FOLDS, smallest));
}

/**
 * Fold (0 … k−1) of each clip, from its class (`labels`) and its source file (`files`), seeded.
 * Returns one fold index per clip.
 */
export function assignFolds(
  labels: ArrayLike<number>,
  files: string[],
  classes: number,
  k: number,
  seed: number
): Int32Array {
  const rng = createRng(seed ^ 0xf01d);
  const fold = new Int32Array(labels.length);
  for (let c = 0; c < classes; c++) {
    const mine: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) mine.push(i);
    const groups = [...new Set(mine.map((i) => files[i]))];
    if (groups.length >= k) {
      shuffleInPlace(groups, rng);
      const of = new Map(groups.map((g, j) => [g, j % k]));
      for (const i of mine) fold[i] = of.get(files[i])!;
    } else {
      mine.forEach((i, j) => (fold[i] = Math.floor((j * k) / mine.length)));
    }
  }
  return fold;
}
