// AssemblyScript: k-winners-take-all on float activations for training
// (core/train/backend/kwta-kernel.ts). Works in the tfjs wasm backend's memory; pointers are byte
// offsets into it.

/**
 * For each of `locations` groups of `channels` float32 values in x (channel fastest): the k-th
 * largest score T is found by selection (quickselect on a copy, average O(C)), then channels are
 * decided by counting: every score above T wins, then the lowest-indexed channels whose score
 * equals T fill the remaining places; a value ≤ 0 never wins. The score is x·boost[c] in float64
 * when `boost` is non-zero (float32 [C]), else x. Winners keep x in y, the rest get 0; wins[c]
 * (float32 [C]) is incremented for each location channel c won. `scratch` holds `channels` f64.
 * Requires 1 ≤ k < channels. Returns the number of winners.
 */
export function kwtaSelect(
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
      store<f64>(scratch + ((<usize>c) << 3), boost ? v * <f64>load<f32>(boost + ((<usize>c) << 2)) : v);
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
      const s = boost ? v * <f64>load<f32>(boost + ((<usize>c) << 2)) : v;
      if (s > threshold) above++;
    }
    let places = k - above;
    for (let c: i32 = 0; c < channels; c++) {
      const off = (<usize>c) << 2;
      const raw = load<f32>(base + off);
      const v = <f64>raw;
      const s = boost ? v * <f64>load<f32>(boost + off) : v;
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
