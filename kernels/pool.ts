// 2x2 max-pooling with stride 2 and valid padding on channel-major maps, and its gradient. The forward
// pass records which element of each window won (the first strictly largest in row-major window order,
// the rule of the tfjs kernels), so the backward pass is a scatter. Four windows per vector.

/**
 * p[c][n][ph][pw] = max of the window; `arg` (i32 per output) receives the winner's index 0..3 (4: none,
 * the window is all NaN or -Infinity). The map z is [C][N][H][rowW] with `plane` floats per channel.
 */
export function poolWindows(z: usize, C: i32, N: i32, H: i32, rowW: i32, plane: i32, PH: i32, PW: i32, p: usize, pPlane: i32, arg: usize): void {
  const row = <usize>rowW << 2;
  const vecPW = PW & ~3;
  const none = i32x4.splat(4), ninf = f32x4.splat(-Infinity);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let ph = 0; ph < PH; ph++) {
        const src = z + (<usize>(c * plane + (n * H + 2 * ph) * rowW) << 2);
        const o = <usize>(c * pPlane + (n * PH + ph) * PW) << 2;
        for (let pw = 0; pw < vecPW; pw += 4) {
          const s = src + (<usize>pw << 3);
          const r0a = v128.load(s), r0b = v128.load(s, 16), r1a = v128.load(s + row), r1b = v128.load(s + row, 16);
          const c0 = v128.shuffle<f32>(r0a, r0b, 0, 2, 4, 6), c1 = v128.shuffle<f32>(r0a, r0b, 1, 3, 5, 7);
          const c2 = v128.shuffle<f32>(r1a, r1b, 0, 2, 4, 6), c3 = v128.shuffle<f32>(r1a, r1b, 1, 3, 5, 7);
          let best = ninf, win = none;
          let m = f32x4.gt(c0, best); best = v128.bitselect(c0, best, m); win = v128.bitselect(i32x4.splat(0), win, m);
          m = f32x4.gt(c1, best); best = v128.bitselect(c1, best, m); win = v128.bitselect(i32x4.splat(1), win, m);
          m = f32x4.gt(c2, best); best = v128.bitselect(c2, best, m); win = v128.bitselect(i32x4.splat(2), win, m);
          m = f32x4.gt(c3, best); best = v128.bitselect(c3, best, m); win = v128.bitselect(i32x4.splat(3), win, m);
          const at = o + (<usize>pw << 2);
          v128.store(p + at, best);
          v128.store(arg + at, win);
        }
        for (let pw = vecPW; pw < PW; pw++) {
          const s = src + (<usize>pw << 3);
          const v0 = load<f32>(s), v1 = load<f32>(s, 4), v2 = load<f32>(s + row), v3 = load<f32>(s + row, 4);
          let best: f32 = -Infinity, win = 4;
          if (v0 > best) { best = v0; win = 0; }
          if (v1 > best) { best = v1; win = 1; }
          if (v2 > best) { best = v2; win = 2; }
          if (v3 > best) { best = v3; win = 3; }
          const at = o + (<usize>pw << 2);
          store<f32>(p + at, best);
          store<i32>(arg + at, win);
        }
      }
    }
  }
}

/**
 * dz (the pooled map's gradient, [C][N][H][rowW] holding W columns, `zFloats` in all) receives each window's gradient at its
 * winner and zero elsewhere. With `relu`, the map was a ReLU's output: a window whose maximum p is not
 * positive passes nothing, which is the ReLU's gradient at the winner (the others get none anyway).
 */
export function poolScatter(dp: usize, arg: usize, p: usize, relu: bool, C: i32, N: i32, H: i32, W: i32, rowW: i32, plane: i32, PH: i32, PW: i32, pPlane: i32, dz: usize, zFloats: i32): void {
  // Every element of the windows is written below; what lies outside them must be zero: the odd last row or
  // column, the padding columns of a row, the end of each channel's plane.
  if ((H & 1) != 0 || (W & 1) != 0 || rowW != W) memory.fill(dz, 0, <usize>zFloats << 2);
  else {
    const used = N * H * W;
    for (let c = 0; c < C; c++) memory.fill(dz + (<usize>(c * plane + used) << 2), 0, <usize>(plane - used) << 2);
  }
  const row = <usize>rowW << 2;
  const vecPW = PW & ~3;
  const zero = f32x4.splat(0);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let ph = 0; ph < PH; ph++) {
        const dst = dz + (<usize>(c * plane + (n * H + 2 * ph) * rowW) << 2);
        const o = <usize>(c * pPlane + (n * PH + ph) * PW) << 2;
        for (let pw = 0; pw < vecPW; pw += 4) {
          const at = o + (<usize>pw << 2);
          let g = v128.load(dp + at);
          if (relu) g = v128.and(g, f32x4.gt(v128.load(p + at), zero));
          const win = v128.load(arg + at);
          const g0 = v128.and(g, i32x4.eq(win, i32x4.splat(0))), g1 = v128.and(g, i32x4.eq(win, i32x4.splat(1)));
          const g2 = v128.and(g, i32x4.eq(win, i32x4.splat(2))), g3 = v128.and(g, i32x4.eq(win, i32x4.splat(3)));
          const d = dst + (<usize>pw << 3);
          v128.store(d, v128.shuffle<f32>(g0, g1, 0, 4, 1, 5));
          v128.store(d, v128.shuffle<f32>(g0, g1, 2, 6, 3, 7), 16);
          v128.store(d + row, v128.shuffle<f32>(g2, g3, 0, 4, 1, 5));
          v128.store(d + row, v128.shuffle<f32>(g2, g3, 2, 6, 3, 7), 16);
        }
        for (let pw = vecPW; pw < PW; pw++) {
          const at = o + (<usize>pw << 2), d = dst + (<usize>pw << 3);
          store<f32>(d, 0); store<f32>(d, 0, 4); store<f32>(d + row, 0); store<f32>(d + row, 0, 4);
          const win = load<i32>(arg + at);
          if (win == 4 || (relu && !(load<f32>(p + at) > 0))) continue;
          store<f32>(dst + (<usize>((win >> 1) * rowW + 2 * pw + (win & 1)) << 2), load<f32>(dp + at));
        }
      }
    }
  }
}
