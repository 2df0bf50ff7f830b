// AssemblyScript: k-winners-take-all on float activations for training
// (core/train/backend/kwta-kernel.ts). Works in the tfjs wasm backend's memory; pointers are byte
// offsets into it.

/** The number of lanes of m that are all ones (true), m the result of an i32x4 comparison. */
@inline
function lanes(m: v128): i32 {
  return -(
    i32x4.extract_lane(m, 0) +
    i32x4.extract_lane(m, 1) +
    i32x4.extract_lane(m, 2) +
    i32x4.extract_lane(m, 3)
  );
}

/** Whether the values (as integers) within [lo, hi) are all equal (and there is at least one). */
function singleValueIn(base: usize, channels: i32, lo: i32, hi: i32): bool {
  const vlo = i32x4.splat(lo);
  const vhi = i32x4.splat(hi);
  let least = i32x4.splat(i32.MAX_VALUE);
  let most = i32x4.splat(i32.MIN_VALUE);
  const vectorEnd = channels & ~3;
  let c: i32 = 0;
  for (; c < vectorEnd; c += 4) {
    const v = v128.load(base + ((<usize>c) << 2));
    const inside = v128.and(i32x4.ge_s(v, vlo), i32x4.lt_s(v, vhi));
    least = i32x4.min_s(least, v128.bitselect(v, least, inside));
    most = i32x4.max_s(most, v128.bitselect(v, most, inside));
  }
  let a = min<i32>(
    min<i32>(i32x4.extract_lane(least, 0), i32x4.extract_lane(least, 1)),
    min<i32>(i32x4.extract_lane(least, 2), i32x4.extract_lane(least, 3))
  );
  let b = max<i32>(
    max<i32>(i32x4.extract_lane(most, 0), i32x4.extract_lane(most, 1)),
    max<i32>(i32x4.extract_lane(most, 2), i32x4.extract_lane(most, 3))
  );
  for (; c < channels; c++) {
    const v = load<i32>(base + ((<usize>c) << 2));
    if (v >= lo && v < hi) {
      a = min<i32>(a, v);
      b = max<i32>(b, v);
    }
  }
  return a == b;
}

/** The smallest value (as an integer) that is ≥ lo; i32.MAX_VALUE when there is none. */
function minAtLeast(base: usize, channels: i32, lo: i32): i32 {
  let least = i32.MAX_VALUE;
  for (let c: i32 = 0; c < channels; c++) {
    const v = load<i32>(base + ((<usize>c) << 2));
    if (v >= lo && v < least) least = v;
  }
  return least;
}

/**
 * k-WTA by counting, without boosting: for each of `locations` groups of `channels` float32
 * values in x (channel fastest; `channels` a multiple of 4), the k largest positive values win,
 * ties at the k-th value going to the lower channel index. Positive float32 values order like
 * their bit patterns as integers (negatives and zeros count as 0, which never wins), so the k-th
 * largest T is found bit by bit from the top: a candidate bit stays set when at least k values
 * are ≥ the prefix with it, each count taken four channels per instruction and without branches.
 * When exactly k values are ≥ the prefix these are the winners and the search stops early;
 * otherwise T is the full prefix, values above T win and the first values equal to T fill the
 * remaining places. Winners keep x in y, the rest get 0; wins[c] (float32 [C]) is incremented for
 * each location channel c won. Requires 1 ≤ k < channels. Returns the number of winners.
 */
export function kwtaCount(
  x: usize,
  locations: i32,
  channels: i32,
  k: i32,
  y: usize,
  wins: usize
): i32 {
  const zero = i32x4.splat(0);
  const one = f32x4.splat(1);
  const vectorEnd = channels & ~3;
  let total: i32 = 0;
  const rowBytes = (<usize>channels) << 2;
  for (let l: i32 = 0; l < locations; l++) {
    const base = x + <usize>l * rowBytes;
    const out = y + <usize>l * rowBytes;
    // Fewer than k + 1 positive values: all of them win (threshold "≥ 1", exact).
    let positive = zero;
    let top = zero;
    let c: i32 = 0;
    for (; c < vectorEnd; c += 4) {
      const v = v128.load(base + ((<usize>c) << 2));
      positive = i32x4.add(positive, i32x4.gt_s(v, zero));
      top = i32x4.max_s(top, v);
    }
    let count = lanes(positive);
    let largest = max<i32>(
      max<i32>(i32x4.extract_lane(top, 0), i32x4.extract_lane(top, 1)),
      max<i32>(i32x4.extract_lane(top, 2), i32x4.extract_lane(top, 3))
    );
    for (; c < channels; c++) {
      const v = load<i32>(base + ((<usize>c) << 2));
      count += i32(v > 0);
      largest = max<i32>(largest, v);
    }
    let prefix: i32 = count <= k ? 1 : 0;
    let exact = count <= k;
    // Bits above the largest value's highest set bit are 0 in every candidate that can count.
    for (let bit: i32 = exact ? -1 : 31 - clz<i32>(largest); bit >= 0; bit--) {
      const cand = prefix | (1 << bit);
      const vc = i32x4.splat(cand);
      let acc = zero;
      c = 0;
      for (; c < vectorEnd; c += 4) {
        // A negative value's bits are a negative integer, below every candidate (all ≥ 1).
        acc = i32x4.add(acc, i32x4.ge_s(v128.load(base + ((<usize>c) << 2)), vc));
      }
      let n = lanes(acc);
      for (; c < channels; c++) n += i32(load<i32>(base + ((<usize>c) << 2)) >= cand);
      prefix = select<i32>(cand, prefix, n >= k);
      if (n == k) {
        exact = true;
        break;
      }
      // T lies in [prefix, prefix + 2^bit). Every fourth bit, check whether a single value does
      // (quantized activations tie often): then it is T and the lower bits need no search.
      const end = <i32>min<i64>(<i64>prefix + ((<i64>1) << bit), i32.MAX_VALUE);
      if ((bit & 3) == 0 && bit > 0 && singleValueIn(base, channels, prefix, end)) {
        prefix = minAtLeast(base, channels, prefix);
        break;
      }
    }
    // Winners: ≥ prefix when exactly k are, else > prefix and then ties at prefix in order.
    const vt = i32x4.splat(prefix);
    const least = exact ? prefix : prefix + 1;
    let places = k;
    for (c = 0; c < vectorEnd; c += 4) {
      const off = (<usize>c) << 2;
      const raw = v128.load(base + off);
      const win = exact ? i32x4.ge_s(raw, vt) : i32x4.gt_s(raw, vt);
      v128.store(out + off, v128.and(raw, win));
      v128.store(wins + off, f32x4.add(v128.load(wins + off), v128.and(one, win)));
      places -= lanes(win);
    }
    for (; c < channels; c++) {
      const off = (<usize>c) << 2;
      const raw = load<i32>(base + off);
      if (raw >= least) {
        store<i32>(out + off, raw);
        store<f32>(wins + off, load<f32>(wins + off) + 1);
        places--;
      } else store<i32>(out + off, 0);
    }
    total += k - places;
    if (!exact && prefix > 0) {
      for (c = 0; c < channels && places > 0; c++) {
        const off = (<usize>c) << 2;
        if (load<i32>(base + off) == prefix) {
          store<i32>(out + off, prefix);
          store<f32>(wins + off, load<f32>(wins + off) + 1);
          places--;
          total++;
        }
      }
    }
  }
  return total;
}

/**
 * k-WTA with boosting: for each of `locations` groups of `channels` float32 values in x (channel
 * fastest) the score is x·boost[c] in float64 (boost: float32 [C]). The k-th largest score T is
 * found by quickselect on a copy in `scratch` (`channels` f64), then every score above T wins and
 * the lowest-indexed channels whose score equals T fill the remaining places; a value ≤ 0 never
 * wins. Winners keep x in y, the rest get 0; wins[c] (float32 [C]) is incremented for each
 * location channel c won. Requires 1 ≤ k < channels. Returns the number of winners.
 */
export function kwtaBoosted(
  x: usize,
  locations: i32,
  channels: i32,
  k: i32,
  boost: usize,
  scratch: usize,
  y: usize,
  wins: usize
): i32 {
  let total: i32 = 0;
  const target = k - 1;
  for (let l: i32 = 0; l < locations; l++) {
    const base = x + ((<usize>(l * channels)) << 2);
    const out = y + ((<usize>(l * channels)) << 2);
    for (let c: i32 = 0; c < channels; c++) {
      const v = <f64>load<f32>(base + ((<usize>c) << 2));
      store<f64>(scratch + ((<usize>c) << 3), v * <f64>load<f32>(boost + ((<usize>c) << 2)));
    }
    // Quickselect for the element at rank `target` in descending order (Hoare partition).
    let lo: i32 = 0;
    let hi: i32 = channels - 1;
    while (lo < hi) {
      const a = load<f64>(scratch + ((<usize>lo) << 3));
      const b = load<f64>(scratch + ((<usize>((lo + hi) >> 1)) << 3));
      const c = load<f64>(scratch + ((<usize>hi) << 3));
      // Median of three as the pivot.
      const pivot = a > b ? (b > c ? b : a > c ? c : a) : a > c ? a : b > c ? c : b;
      let i = lo;
      let j = hi;
      while (i <= j) {
        while (load<f64>(scratch + ((<usize>i) << 3)) > pivot) i++;
        while (load<f64>(scratch + ((<usize>j) << 3)) < pivot) j--;
        if (i <= j) {
          const pi = scratch + ((<usize>i) << 3);
          const pj = scratch + ((<usize>j) << 3);
          const t = load<f64>(pi);
          store<f64>(pi, load<f64>(pj));
          store<f64>(pj, t);
          i++;
          j--;
        }
      }
      if (target <= j) hi = j;
      else if (target >= i) lo = i;
      else break;
    }
    const threshold = load<f64>(scratch + ((<usize>target) << 3));
    let above: i32 = 0;
    for (let c: i32 = 0; c < channels; c++) {
      const v = <f64>load<f32>(base + ((<usize>c) << 2));
      if (v * <f64>load<f32>(boost + ((<usize>c) << 2)) > threshold) above++;
    }
    let places = k - above;
    for (let c: i32 = 0; c < channels; c++) {
      const off = (<usize>c) << 2;
      const raw = load<f32>(base + off);
      const v = <f64>raw;
      const s = v * <f64>load<f32>(boost + off);
      let win = s > threshold;
      if (!win && s == threshold && places > 0) {
        places--;
        win = true;
      }
      if (win && raw > 0) {
        store<f32>(out + off, raw);
        store<f32>(wins + off, load<f32>(wins + off) + 1);
        total++;
      } else {
        store<f32>(out + off, 0);
      }
    }
  }
  return total;
}
