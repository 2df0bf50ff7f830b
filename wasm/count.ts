// AssemblyScript: counting non-zero int32 values, four per instruction.

/** The number of non-zero values among the n int32 at x. */
export function nonZero(x: usize, n: i32): i32 {
  const zero = i32x4.splat(0);
  let nz = i32x4.splat(0);
  let i: i32 = 0;
  for (; i + 4 <= n; i += 4) nz = i32x4.sub(nz, i32x4.ne(v128.load(x + ((<usize>i) << 2)), zero));
  let count =
    i32x4.extract_lane(nz, 0) +
    i32x4.extract_lane(nz, 1) +
    i32x4.extract_lane(nz, 2) +
    i32x4.extract_lane(nz, 3);
  for (; i < n; i++) if (load<i32>(x + ((<usize>i) << 2)) != 0) count++;
  return count;
}
