/**
 * Grouped, stratified folds: no group is ever split across folds (a property over random
 * groupings, groups spanning classes included), every class is spread over the folds, k follows
 * the fewest independent groups, and a class with fewer groups than folds is cut into blocks.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { assignFolds, foldCount, groupsPerClass } from './folds';

describe('foldCount', () => {
  test('k = min(5, fewest groups in a class), at least 2; excepted classes do not count', () => {
    expect(foldCount([19, 19, 10])).toBe(5);
    expect(foldCount([3, 8])).toBe(3);
    expect(foldCount([1, 8])).toBe(2);
    expect(foldCount([1, 8, 9], [0])).toBe(5);
  });
});

/** Random datasets: clip labels and group ids, with every class having at least `min` groups. */
const grouping = fc
  .record({
    classes: fc.integer({ min: 2, max: 5 }),
    groups: fc.array(
      fc.record({
        // A group holds clips of one class, or sometimes of several (one speaker, every word).
        classes: fc.array(fc.nat(4), { minLength: 1, maxLength: 3 }),
        size: fc.integer({ min: 1, max: 6 })
      }),
      { minLength: 1, maxLength: 60 }
    ),
    seed: fc.nat()
  })
  .map(({ classes, groups, seed }) => {
    const labels: number[] = [];
    const group: number[] = [];
    groups.forEach((g, id) => {
      for (let j = 0; j < g.size; j++) {
        labels.push(g.classes[j % g.classes.length] % classes);
        group.push(id);
      }
    });
    return { classes, labels, group, seed };
  })
  .filter(({ labels, classes }) => new Set(labels).size === classes);

describe('assignFolds', () => {
  test('never splits a group across folds (in classes with at least k groups)', () => {
    fc.assert(
      fc.property(grouping, ({ classes, labels, group, seed }) => {
        const per = groupsPerClass(labels, group, classes);
        const k = foldCount(per);
        const { fold, blockSplit } = assignFolds(labels, group, classes, k, seed);
        expect(blockSplit).toEqual(per.map((n, c) => (n < k ? c : -1)).filter((c) => c >= 0));
        const foldOf = new Map<number, number>();
        labels.forEach((l, i) => {
          if (blockSplit.includes(l)) return;
          expect(fold[i]).toBeGreaterThanOrEqual(0);
          expect(fold[i]).toBeLessThan(k);
          const seen = foldOf.get(group[i]);
          if (seen === undefined) foldOf.set(group[i], fold[i]);
          else expect(fold[i]).toBe(seen);
        });
      }),
      { numRuns: 300 }
    );
  });

  test('every class with k single-class groups or more has clips in every fold', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 5, max: 30 }), { minLength: 2, maxLength: 4 }),
        fc.nat(),
        (groupsOf, seed) => {
          const labels: number[] = [];
          const group: number[] = [];
          groupsOf.forEach((n, c) => {
            for (let g = 0; g < n; g++)
              for (let j = 0; j <= (g * 7 + c) % 3; j++) {
                labels.push(c);
                group.push(c * 1000 + g);
              }
          });
          const { fold } = assignFolds(labels, group, groupsOf.length, 5, seed);
          groupsOf.forEach((_, c) => {
            const folds = new Set(labels.flatMap((l, i) => (l === c ? [fold[i]] : [])));
            expect(folds.size).toBe(5);
          });
        }
      ),
      { numRuns: 100 }
    );
  });

  test('stratified: clips of single-clip groups spread evenly over the folds', () => {
    const labels = [...Array(12).fill(0), ...Array(7).fill(1)];
    const group = labels.map((_, i) => i);
    const { fold } = assignFolds(labels, group, 2, 5, 3);
    for (const c of [0, 1]) {
      const per = [0, 0, 0, 0, 0];
      labels.forEach((l, i) => l === c && per[fold[i]]++);
      expect(Math.max(...per) - Math.min(...per)).toBeLessThanOrEqual(1);
    }
  });

  test('one long take in a class of one group is cut into contiguous blocks, and reported', () => {
    // class 0: 6 takes of 3 clips each; class 1: one 10-clip background take.
    const labels = [...Array(18).fill(0), ...Array(10).fill(1)];
    const group = [...labels.slice(0, 18).map((_, i) => Math.floor(i / 3)), ...Array(10).fill(99)];
    const { fold, blockSplit } = assignFolds(labels, group, 2, 5, 1);
    for (let t = 0; t < 6; t++) expect(new Set([0, 1, 2].map((k) => fold[t * 3 + k])).size).toBe(1);
    expect(Array.from(fold.slice(18))).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4]);
    expect(blockSplit).toEqual([1]);
  });

  test('the same seed gives the same folds; k < 2 is refused', () => {
    const labels = [0, 0, 0, 1, 1, 1];
    const group = [0, 1, 2, 3, 4, 5];
    expect(assignFolds(labels, group, 2, 3, 7).fold).toEqual(
      assignFolds(labels, group, 2, 3, 7).fold
    );
    expect(() => assignFolds(labels, group, 2, 1, 7)).toThrow(RangeError);
  });
});
