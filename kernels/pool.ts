// 2x2 max-pooling with stride 2 and valid padding on channel-major maps, and its gradient. The forward
// pass records which element of each window won (the first strictly largest in row-major window order,
// the rule of the tfjs kernels), so the backward pass is a scatter.

/** p[c][n][ph][pw] = max of the window; `arg` receives the winner's index 0..3 (4: none, all NaN or -Infinity). */
export function poolForward(z: usize, C: i32, N: i32, H: i32, rowW: i32, plane: i32, PH: i32, PW: i32, p: usize, pPlane: i32, arg: usize): void {
  const row = <usize>rowW << 2;
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let ph = 0; ph < PH; ph++) {
        let src = z + (<usize>(c * plane + (n * H + 2 * ph) * rowW) << 2);
        const o = c * pPlane + (n * PH + ph) * PW;
        let dst = p + (<usize>o << 2), at = arg + <usize>o;
        for (let pw = 0; pw < PW; pw++) {
          const v0 = load<f32>(src), v1 = load<f32>(src, 4), v2 = load<f32>(src + row), v3 = load<f32>(src + row, 4);
          let best: f32 = -Infinity, win: u8 = 4;
          if (v0 > best) { best = v0; win = 0; }
          if (v1 > best) { best = v1; win = 1; }
          if (v2 > best) { best = v2; win = 2; }
          if (v3 > best) { best = v3; win = 3; }
          store<f32>(dst, best);
          store<u8>(at, win);
          src += 8;
          dst += 4;
          at += 1;
        }
      }
    }
  }
}

/** dz (the pooled map's input, zeroed first over `zFloats`) receives each window's gradient at its winner. */
export function poolBackward(dp: usize, arg: usize, C: i32, N: i32, H: i32, rowW: i32, plane: i32, PH: i32, PW: i32, pPlane: i32, dz: usize, zFloats: i32): void {
  memory.fill(dz, 0, <usize>zFloats << 2);
  for (let c = 0; c < C; c++) {
    for (let n = 0; n < N; n++) {
      for (let ph = 0; ph < PH; ph++) {
        const o = c * pPlane + (n * PH + ph) * PW;
        const first = c * plane + (n * H + 2 * ph) * rowW;
        for (let pw = 0; pw < PW; pw++) {
          const win = <i32>load<u8>(arg + <usize>(o + pw));
          if (win == 4) continue;
          const at = first + 2 * pw + (win & 1) + (win >> 1) * rowW;
          store<f32>(dz + (<usize>at << 2), load<f32>(dp + (<usize>(o + pw) << 2)));
        }
      }
    }
  }
}
