import type { QuantizedWeights } from './types';
import { checkWeightBits, intervalIndex, snapToTable } from './types';

const MAX_ITERATIONS = 50;

/** Sorted distinct values of `sorted` (already ascending). */
function distinct(sorted: Float64Array): number[] {
  const out: number[] = [];
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) out.push(sorted[i]);
  return out;
}

/**
 * One-dimensional Lloyd k-means on ascending `sorted` values. In 1-D every cluster is a contiguous
 * run of the sorted values, so an iteration is K binary searches and K prefix-sum means.
 * Centroids start evenly spaced from min to max (linear initialisation). A cluster left empty is
 * moved to the value farthest from its own centroid, as scikit-learn does, so that separated
 * groups of weights between the initial centroids are not merged into one.
 */
function lloyd(sorted: Float64Array, k: number): Float64Array {
  const n = sorted.length;
  const prefix = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i] + sorted[i];
  const lo = sorted[0];
  const hi = sorted[n - 1];
  const centroids = Float64Array.from({ length: k }, (_, i) => lo + ((hi - lo) * i) / (k - 1));
  let bounds = new Int32Array(k + 1);
  for (let iter = 0; iter < MAX_ITERATIONS; iter++) {
    const next = new Int32Array(k + 1);
    next[k] = n;
    for (let c = 1; c < k; c++) {
      next[c] = intervalIndex(sorted, (centroids[c - 1] + centroids[c]) / 2);
    }
    if (iter > 0 && next.every((v, i) => v === bounds[i])) break;
    bounds = next;
    const empty: number[] = [];
    for (let c = 0; c < k; c++) {
      const count = bounds[c + 1] - bounds[c];
      if (count > 0) centroids[c] = (prefix[bounds[c + 1]] - prefix[bounds[c]]) / count;
      else empty.push(c);
    }
    if (empty.length > 0) reseed(sorted, bounds, centroids, empty);
    centroids.sort();
  }
  return centroids;
}

/**
 * Moves each empty cluster onto the value farthest from its assigned centroid. In 1-D that value
 * is an end of its cluster's run, so only 2K candidates are looked at; one value seeds one cluster.
 */
function reseed(
  sorted: Float64Array,
  bounds: Int32Array,
  centroids: Float64Array,
  empty: number[]
) {
  const taken = new Set<number>();
  for (const target of empty) {
    let best = -1;
    let bestDistance = 0;
    for (let c = 0; c < centroids.length; c++) {
      if (bounds[c + 1] === bounds[c]) continue;
      for (const i of [bounds[c], bounds[c + 1] - 1]) {
        const d = Math.abs(sorted[i] - centroids[c]);
        if (d > bestDistance && !taken.has(i)) [best, bestDistance] = [i, d];
      }
    }
    if (best < 0) return; // every value already sits on a centroid
    taken.add(best);
    centroids[target] = sorted[best];
  }
}

/**
 * k-means weight sharing per layer (PAPERS.md §3): K = 2^bits centroids found by Lloyd iterations
 * (linear initialisation, until assignments stop changing, at most 50), each weight replaced by its
 * nearest centroid. When the layer has at most K distinct values they are the codebook (which
 * makes quantization idempotent). Centroids sit on the 13-bit table grid (`snapToTable`), so
 * they are exact within 2^−14 of the largest. Codes index the ascending codebook.
 * `w` is float32 in any layout; the whole tensor shares one codebook.
 */
export function quantizeKmeans(w: Float32Array, shape: number[], bits: number): QuantizedWeights {
  checkWeightBits(bits);
  const k = 2 ** bits;
  const codes = new Int32Array(w.length);
  const values = new Float32Array(w.length);
  if (w.length === 0)
    return {
      scheme: 'kmeans',
      bits,
      shape: [...shape],
      codes,
      values,
      codebook: new Float32Array(0)
    };
  const sorted = Float64Array.from(w).sort();
  const unique = distinct(sorted);
  const codebook = Float32Array.from(snapToTable(unique.length <= k ? unique : lloyd(sorted, k)));
  const mid = new Float64Array(codebook.length - 1);
  for (let i = 0; i < mid.length; i++) mid[i] = (codebook[i] + codebook[i + 1]) / 2;
  for (let i = 0; i < w.length; i++) {
    // Midpoint ties go to the lower centroid; either is nearest.
    const c = intervalIndex(mid, w[i]);
    codes[i] = c;
    values[i] = codebook[c];
  }
  return { scheme: 'kmeans', bits, shape: [...shape], codes, values, codebook };
}
