// AssemblyScript: k-WTA on small non-negative codes by counting (core/engine/kernels/kwta.ts).

/**
 * For each of `locations` groups of `channels` codes in x: every code above the k-th largest
 * value T wins, then the lowest-indexed codes equal to T fill the remaining places; 0 never wins
 * (fewer than k positive codes: all of them win). Winners keep their code in y, losers get 0, and
 * wins[c] counts the locations channel c won. `hist` holds `levels` int32, all zero on entry and
 * on return. Returns the number of non-zero outputs.
 */
export function kwtaCount(
  x: usize,
  locations: i32,
  channels: i32,
  k: i32,
  levels: i32,
  hist: usize,
  y: usize,
  wins: usize
): i32 {
  let nonZero: i32 = 0;
  const top = levels - 1;
  for (let l: i32 = 0; l < locations; l++) {
    const base = (<usize>(l * channels)) << 2;
    let max: i32 = 0;
    let positive: i32 = 0;
    for (let c: i32 = 0; c < channels; c++) {
      let v = load<i32>(x + base + ((<usize>c) << 2));
      if (v > 0) {
        if (v > top) v = top;
        const h = hist + ((<usize>v) << 2);
        store<i32>(h, load<i32>(h) + 1);
        if (v > max) max = v;
        positive++;
      }
    }
    // Threshold: walk down from the largest code until k codes are at or above it.
    let t: i32 = 0;
    let places: i32 = 0;
    if (positive > k) {
      let above: i32 = 0;
      t = max;
      for (; t > 0; t--) {
        const n = load<i32>(hist + ((<usize>t) << 2));
        if (above + n >= k) break;
        above += n;
      }
      places = k - above;
    }
    for (let c: i32 = 0; c < channels; c++) {
      const at = base + ((<usize>c) << 2);
      const v = load<i32>(x + at);
      let win = false;
      if (v > 0) {
        // Reset the histogram for the next location while the codes are at hand.
        store<i32>(hist + ((<usize>(v > top ? top : v)) << 2), 0);
        if (t == 0 || v > t || (v == t && places-- > 0)) win = true;
      }
      if (win) {
        store<i32>(y + at, v);
        const wc = wins + ((<usize>c) << 2);
        store<i32>(wc, load<i32>(wc) + 1);
        nonZero++;
      } else {
        store<i32>(y + at, 0);
      }
    }
  }
  return nonZero;
}
