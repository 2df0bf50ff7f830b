/**
 * Which clips estimate a model's accuracy: k folds for cross-validation, at every dataset size.
 * Folds are grouped and stratified: every group of clips that are not independent of each other
 * (groups.ts: clips of one file, copies, one take, one speaker, one camera burst) falls in one
 * fold, so no clip is judged by a model trained on its twin, and each class is spread over the
 * folds as evenly as its groups allow (a greedy form of stratified group k-fold, as scikit-learn's
 * StratifiedGroupKFold: largest groups first, each to the fold that holds least of its classes).
 * A class with fewer groups than folds (one long background recording, say) can't be spread
 * that way; its clips are split into contiguous blocks instead, and the split is reported.
 */
import { createRng, shuffleInPlace } from '../util/rng';

/** At most this many folds; fewer when some class has fewer independent groups. */
export const MAX_FOLDS = 5;

/**
 * The number of folds for classes of `groups` independent groups each (classes listed in
 * `except`, such as the background class, don't limit it): min(5, fewest groups), at least 2.
 */
export function foldCount(groups: number[], except: number[] = []): number {
  const counted = groups.filter((n, c) => n > 0 && !except.includes(c));
  const fewest = counted.length ? Math.min(...counted) : MAX_FOLDS;
  return Math.max(2, Math.min(MAX_FOLDS, fewest));
}

/** Independent groups per class: how many distinct `group` ids hold clips of each class. */
export function groupsPerClass(
  labels: ArrayLike<number>,
  group: ArrayLike<number>,
  classes: number
): number[] {
  const sets = Array.from({ length: classes }, () => new Set<number>());
  for (let i = 0; i < labels.length; i++) sets[labels[i]].add(group[i]);
  return sets.map((s) => s.size);
}

export interface FoldAssignment {
  /** Fold (0 … k−1) of each clip. */
  fold: Int32Array;
  /** Classes with fewer groups than folds, split into contiguous blocks of clips instead. */
  blockSplit: number[];
}

/**
 * Fold of each clip from its class (`labels`, 0 … classes−1) and its group (`group`: clips with
 * the same id are never separated, except in a class of fewer than k groups, see the module
 * comment), seeded. Throws RangeError when k < 2 or the arrays differ in length.
 */
export function assignFolds(
  labels: ArrayLike<number>,
  group: ArrayLike<number>,
  classes: number,
  k: number,
  seed: number
): FoldAssignment {
  if (!(k >= 2) || labels.length !== group.length) {
    throw new RangeError(
      `assignFolds: k = ${k} (needs ≥ 2), ${labels.length} labels, ${group.length} groups`
    );
  }
  const rng = createRng(seed ^ 0xf01d);
  const fold = new Int32Array(labels.length);
  const perClass = groupsPerClass(labels, group, classes);
  const blockSplit = perClass.map((n, c) => (n > 0 && n < k ? c : -1)).filter((c) => c >= 0);
  const blocked = new Set(blockSplit);
  for (const c of blockSplit) {
    const mine: number[] = [];
    for (let i = 0; i < labels.length; i++) if (labels[i] === c) mine.push(i);
    mine.forEach((i, j) => (fold[i] = Math.floor((j * k) / mine.length)));
  }
  // The remaining clips, by group: each group's clips per class.
  const members = new Map<number, number[]>();
  for (let i = 0; i < labels.length; i++) {
    if (blocked.has(labels[i])) continue;
    const g = group[i];
    const list = members.get(g);
    if (list) list.push(i);
    else members.set(g, [i]);
  }
  const order = [...members.keys()].sort((a, b) => a - b);
  shuffleInPlace(order, rng);
  // Largest first (stable: equal sizes keep their shuffled order).
  order.sort((a, b) => members.get(b)!.length - members.get(a)!.length);
  const total = new Array<number>(classes).fill(0);
  for (const list of members.values()) for (const i of list) total[labels[i]]++;
  const load = Array.from({ length: k }, () => new Array<number>(classes).fill(0));
  const size = new Array<number>(k).fill(0);
  for (const g of order) {
    const list = members.get(g)!;
    const mine = new Array<number>(classes).fill(0);
    for (const i of list) mine[labels[i]]++;
    let best = 0;
    let bestCost = Infinity;
    for (let f = 0; f < k; f++) {
      // How much of the group's classes this fold already holds, each as a share of its class.
      let cost = 0;
      for (let c = 0; c < classes; c++) if (mine[c]) cost += (mine[c] * load[f][c]) / total[c];
      if (cost < bestCost - 1e-12 || (Math.abs(cost - bestCost) <= 1e-12 && size[f] < size[best])) {
        [best, bestCost] = [f, cost];
      }
    }
    for (const i of list) fold[i] = best;
    for (let c = 0; c < classes; c++) load[best][c] += mine[c];
    size[best] += list.length;
  }
  return { fold, blockSplit };
}
