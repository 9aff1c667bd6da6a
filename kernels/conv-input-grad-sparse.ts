// The input gradient of a convolution (valid padding, stride 1) whose output gradient is mostly zeros, as
// it is behind a 2x2 max-pool (one element of four gets a gradient at most): each nonzero dz scatters its
// filter into the input gradient instead of every input gathering from all of dz.

/**
 * The same result as convInputGrad (up to the order of the additions), for `da` [C][N][H][rowW] with
 * `plane` floats per channel. `wt` receives the filter regrouped as [co][kh][kw*C + ci] rows padded to
 * whole vectors; `rows` is scratch for the gradient as NHWC rows [N][H][W][C] plus 48 bytes.
 */
export function convInputGradSparse(dz: usize, Co: i32, R: i32, w: usize, C: i32, N: i32, H: i32, W: i32, rowW: i32, plane: i32, KH: i32, KW: i32, OH: i32, OW: i32, da: usize, wt: usize, rows: usize): void {
  const L = KW * C, L4 = (L + 3) & ~3;
  for (let co = 0; co < Co; co++) {
    for (let kh = 0; kh < KH; kh++) {
      const row = wt + (<usize>((co * KH + kh) * L4) << 2);
      for (let j = 0; j < L4; j++) store<f32>(row + (<usize>j << 2), j < L ? load<f32>(w + (<usize>((kh * L + j) * Co + co) << 2)) : 0);
    }
  }
  memory.fill(rows, 0, (<usize>(N * H * W * C) << 2) + 48);
  const pixel = <usize>C << 2, line = <usize>(W * C) << 2, rowBytes = <usize>L4 << 2;
  for (let co = 0; co < Co; co++) {
    const dzc = dz + (<usize>(co * R) << 2);
    for (let q = 0; q < N * OH; q++) {
      const n = q / OH, oh = q % OH;
      const src = dzc + (<usize>(q * OW) << 2);
      const base = rows + (<usize>((n * H + oh) * W) << 2) * C;
      for (let ow = 0; ow < OW; ow++) {
        const g = load<f32>(src + (<usize>ow << 2));
        if (g == 0) continue;
        const gv = f32x4.splat(g);
        let d = base + <usize>ow * pixel, s = wt + (<usize>(co * KH * L4) << 2);
        for (let kh = 0; kh < KH; kh++) {
          for (let j: usize = 0; j < rowBytes; j += 16) v128.store(d + j, f32x4.add(v128.load(d + j), f32x4.mul(gv, v128.load(s + j))));
          d += line;
          s += rowBytes;
        }
      }
    }
  }
  // NHWC rows -> the channel-major map.
  const step = <usize>plane << 2;
  memory.fill(da, 0, <usize>(C * plane) << 2);
  let at = rows;
  for (let n = 0; n < N; n++) {
    for (let h = 0; h < H; h++) {
      for (let x = 0; x < W; x++) {
        let p = da + (<usize>((n * H + h) * rowW + x) << 2);
        for (let c = 0; c < C; c++) {
          store<f32>(p, load<f32>(at));
          p += step;
          at += 4;
        }
      }
    }
  }
}
