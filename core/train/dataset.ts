import { createRng, shuffleInPlace, type Rng } from '../util/rng';

/**
 * Examples in one flat buffer: `x` holds `count` examples of `shape` ([H, W, C], row-major, NHWC),
 * `y` their class indices in [0, classes).
 */
export interface Examples {
  x: Float32Array;
  y: Int32Array;
  count: number;
  shape: [number, number, number];
  classes: number;
}

/** Checks sizes and labels; throws a RangeError saying what is inconsistent. */
export function checkExamples(d: Examples, what = 'examples'): void {
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  if (!Number.isInteger(d.count) || d.count < 1) throw new RangeError(`${what}: no examples`);
  if (d.x.length !== d.count * per) {
    throw new RangeError(`${what}: x has ${d.x.length} values, expected ${d.count}×${per}`);
  }
  if (d.y.length !== d.count)
    throw new RangeError(`${what}: ${d.y.length} labels for ${d.count} examples`);
  for (let i = 0; i < d.count; i++) {
    if (!(d.y[i] >= 0 && d.y[i] < d.classes)) {
      throw new RangeError(`${what}: label ${d.y[i]} of example ${i} is outside [0, ${d.classes})`);
    }
  }
  for (let i = 0; i < d.x.length; i++) {
    if (!Number.isFinite(d.x[i])) throw new RangeError(`${what}: value ${i} is not finite`);
  }
}

/** A new Examples holding the listed examples, in that order. */
export function subset(d: Examples, indices: ArrayLike<number>): Examples {
  const per = d.shape[0] * d.shape[1] * d.shape[2];
  const x = new Float32Array(indices.length * per);
  const y = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i];
    x.set(d.x.subarray(src * per, (src + 1) * per), i * per);
    y[i] = d.y[src];
  }
  return { x, y, count: indices.length, shape: d.shape, classes: d.classes };
}

/**
 * Class-balanced split: from every class, round(fraction·n) examples (at least one when the class
 * has two or more) go to validation, chosen by the seed. Returns index lists.
 */
export function stratifiedSplit(
  y: Int32Array,
  classes: number,
  fraction: number,
  seed: number
): { train: number[]; validation: number[] } {
  const rng = createRng(seed);
  const byClass: number[][] = Array.from({ length: classes }, () => []);
  y.forEach((label, i) => byClass[label].push(i));
  const train: number[] = [];
  const validation: number[] = [];
  for (const members of byClass) {
    shuffleInPlace(members, rng);
    const n = members.length < 2 ? 0 : Math.max(1, Math.round(fraction * members.length));
    validation.push(...members.slice(0, n));
    train.push(...members.slice(n));
  }
  return { train: train.sort((a, b) => a - b), validation: validation.sort((a, b) => a - b) };
}

/** Shuffled batches of indices for one epoch; the last batch may be smaller. */
export function epochBatches(indices: number[], batchSize: number, rng: Rng): number[][] {
  const order = shuffleInPlace([...indices], rng) as number[];
  const out: number[][] = [];
  for (let i = 0; i < order.length; i += batchSize) out.push(order.slice(i, i + batchSize));
  return out;
}

/** Copies the listed examples into one batch buffer ([n, H, W, C]) and their labels. */
export function gatherBatch(d: Examples, batch: number[]): { x: Float32Array; y: Int32Array } {
  const s = subset(d, batch);
  return { x: s.x, y: s.y };
}
