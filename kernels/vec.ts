// Small vector helpers shared by the kernels.

/** The four lanes of `v` added in one fixed order ((0 + 1) + (2 + 3)): the same bits on every run. */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** d[i] = 0 wherever z[i] <= 0 (the ReLU's gradient, read off its output); `count` is a multiple of 4. */
export function reluMask(d: usize, z: usize, count: i32): void {
  const zero = f32x4.splat(0);
  const end = d + (<usize>count << 2);
  for (; d < end; d += 16, z += 16) v128.store(d, v128.and(v128.load(d), f32x4.gt(v128.load(z), zero)));
}

/** The same for a count that need not be a multiple of 4. */
export function reluMaskAny(d: usize, z: usize, count: i32): void {
  const whole = count & ~3;
  reluMask(d, z, whole);
  for (let i = whole; i < count; i++) {
    const o = <usize>i << 2;
    if (!(load<f32>(z + o) > 0)) store<f32>(d + o, 0);
  }
}
