// The gradient of a convolution (valid padding, stride 1) with respect to its input map, straight from the
// output's gradient dz [Co][R] (r = (n*OH + oh)*OW + ow; see conv.ts) without an im2col buffer.

/**
 * da[ci][n][oh+kh][ow+kw] = sum over (kh, kw, co) of w[k][co] dz[co][r], for `da` [C][N][H][rowW] with
 * `plane` floats per channel and 48 bytes of slack. One output row at a time: three filter rows k by up to
 * three vectors of the row share their loads of dz and w. Vectors that run past OW are masked to zero
 * before they are added, so what they read there (the next row, the next channel) never counts.
 */
export function convInputGrad(dz: usize, Co: i32, R: i32, w: usize, C: i32, N: i32, H: i32, rowW: i32, plane: i32, KH: i32, KW: i32, OH: i32, OW: i32, da: usize): void {
  memory.fill(da, 0, <usize>(C * plane) << 2);
  const K = KH * KW * C, nv = (OW + 3) >> 2;
  // Where each filter row k = (kh*KW + kw)*C + ci lands relative to an output row, worked out once: integer
  // divisions in the inner loop cost more than the arithmetic they serve.
  const offs = OFFSETS;
  if (K <= MAX_K) for (let k = 0; k < K; k++) store<i32>(offs + (<usize>k << 2), target(k, KW, C, rowW, plane));
  const rowBytes = <usize>R << 2;
  for (let j0 = 0; j0 < nv; j0 += 3) {
    const m0 = laneMask(OW - j0 * 4), m1 = laneMask(OW - j0 * 4 - 4), m2 = laneMask(OW - j0 * 4 - 8);
    const off = <usize>j0 << 4;
    for (let q = 0; q < N * OH; q++) {
      const n = q / OH, oh = q % OH;
      const src = dz + (<usize>(q * OW) << 2) + off;
      const rowBase = da + (<usize>((n * H + oh) * rowW) << 2) + off;
      for (let k = 0; k < K; k += 3) {
        // Three filter rows at a time (the last group repeats its last row where K is not a multiple of 3).
        const k1 = k + 1 < K ? k + 1 : k, k2 = k + 2 < K ? k + 2 : k1;
        let a0 = f32x4.splat(0), a1 = a0, a2 = a0, b0 = a0, b1 = a0, b2 = a0, c0 = a0, c1 = a0, c2 = a0;
        let wp0 = w + (<usize>(k * Co) << 2), wp1 = w + (<usize>(k1 * Co) << 2), wp2 = w + (<usize>(k2 * Co) << 2), s = src;
        for (let co = 0; co < Co; co++) {
          const e0 = v128.load(s), e1 = v128.load(s, 16), e2 = v128.load(s, 32);
          const u = v128.load32_splat(wp0), v = v128.load32_splat(wp1), t = v128.load32_splat(wp2);
          a0 = f32x4.add(a0, f32x4.mul(u, e0)); b0 = f32x4.add(b0, f32x4.mul(v, e0)); c0 = f32x4.add(c0, f32x4.mul(t, e0));
          a1 = f32x4.add(a1, f32x4.mul(u, e1)); b1 = f32x4.add(b1, f32x4.mul(v, e1)); c1 = f32x4.add(c1, f32x4.mul(t, e1));
          a2 = f32x4.add(a2, f32x4.mul(u, e2)); b2 = f32x4.add(b2, f32x4.mul(v, e2)); c2 = f32x4.add(c2, f32x4.mul(t, e2));
          s += rowBytes;
          wp0 += 4;
          wp1 += 4;
          wp2 += 4;
        }
        const small = K <= MAX_K;
        addRow(rowBase, small ? load<i32>(offs + (<usize>k << 2)) : target(k, KW, C, rowW, plane), v128.and(a0, m0), v128.and(a1, m1), v128.and(a2, m2));
        if (k1 != k) addRow(rowBase, small ? load<i32>(offs + (<usize>k1 << 2)) : target(k1, KW, C, rowW, plane), v128.and(b0, m0), v128.and(b1, m1), v128.and(b2, m2));
        if (k2 != k1) addRow(rowBase, small ? load<i32>(offs + (<usize>k2 << 2)) : target(k2, KW, C, rowW, plane), v128.and(c0, m0), v128.and(c1, m1), v128.and(c2, m2));
      }
    }
  }
}

/** All-ones in the first `valid` lanes (clamped to 0..4), zeros after. */
// @ts-ignore: decorator
@inline
function laneMask(valid: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(valid));
}

const MAX_K = 4096;
const OFFSETS = memory.data(MAX_K * 4, 16);

/** Offset in floats from an output row's first input to where filter row k = (kh*KW + kw)*C + ci adds. */
// @ts-ignore: decorator
@inline
function target(k: i32, KW: i32, C: i32, rowW: i32, plane: i32): i32 {
  const ci = k % C, khw = k / C;
  return ci * plane + (khw / KW) * rowW + khw % KW;
}

/** Add three vectors at `offset` floats from `rowBase`. */
// @ts-ignore: decorator
@inline
function addRow(rowBase: usize, offset: i32, v0: v128, v1: v128, v2: v128): void {
  const t = rowBase + (<usize>offset << 2);
  v128.store(t, f32x4.add(v128.load(t), v0));
  v128.store(t, f32x4.add(v128.load(t, 16), v1), 16);
  v128.store(t, f32x4.add(v128.load(t, 32), v2), 32);
}
