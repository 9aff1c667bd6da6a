// Convolution (valid padding, stride 1) as products with the im2col buffer X [K][R] (see im2col.ts), on
// channel-major maps: the output z is [Co][R] with r = (n*OH + oh)*OW + ow. R is a multiple of 8 and the
// columns past N*OH*OW are padding: X is zero there and so must the output's gradient be. X holds a chunk
// of the batch at a time, small enough to stay in cache between the im2col and the product.
import { hsum } from './vec';

/**
 * z[co][r] = bias[co] + sum_k X[k][r] w[k][co], then ReLU when asked, for the R columns of X (a chunk of the
 * batch; the rows of z are zStride floats apart): blocks of 8 rows (two vectors), each block's column of X
 * read from cache by every group of output channels.
 */
export function convProducts(x: usize, K: i32, R: i32, w: usize, Co: i32, bias: usize, relu: bool, z: usize, zStride: i32): void {
  for (let r = 0; r < R; r += 8) {
    let co = 0;
    for (; co + 4 <= Co; co += 4) forward4(x, K, R, r, w, Co, co, bias, relu, z, zStride);
    for (; co + 2 <= Co; co += 2) forward2(x, K, R, r, w, Co, co, bias, relu, z, zStride);
    for (; co < Co; co++) forward1(x, K, R, r, w, Co, co, bias, relu, z, zStride);
  }
}

// @ts-ignore: decorator
@inline
function forward4(x: usize, K: i32, R: i32, r: i32, w: usize, Co: i32, co: i32, bias: usize, relu: bool, z: usize, zStride: i32): void {
  const bp = bias + (<usize>co << 2);
  const b0 = v128.load32_splat(bp), b1 = v128.load32_splat(bp, 4), b2 = v128.load32_splat(bp, 8), b3 = v128.load32_splat(bp, 12);
  const rowBytes = <usize>R << 2, wStep = <usize>Co << 2;
  let a0 = b0, a1 = b1, a2 = b2, a3 = b3, c0 = b0, c1 = b1, c2 = b2, c3 = b3;
  let xp = x + (<usize>r << 2), wp = w + (<usize>co << 2);
  for (let k = 0; k < K; k++) {
    const x0 = v128.load(xp), x1 = v128.load(xp, 16);
    const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp, 4), w2 = v128.load32_splat(wp, 8), w3 = v128.load32_splat(wp, 12);
    a0 = f32x4.add(a0, f32x4.mul(x0, w0)); c0 = f32x4.add(c0, f32x4.mul(x1, w0));
    a1 = f32x4.add(a1, f32x4.mul(x0, w1)); c1 = f32x4.add(c1, f32x4.mul(x1, w1));
    a2 = f32x4.add(a2, f32x4.mul(x0, w2)); c2 = f32x4.add(c2, f32x4.mul(x1, w2));
    a3 = f32x4.add(a3, f32x4.mul(x0, w3)); c3 = f32x4.add(c3, f32x4.mul(x1, w3));
    xp += rowBytes;
    wp += wStep;
  }
  if (relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.max(a0, zero); a1 = f32x4.max(a1, zero); a2 = f32x4.max(a2, zero); a3 = f32x4.max(a3, zero);
    c0 = f32x4.max(c0, zero); c1 = f32x4.max(c1, zero); c2 = f32x4.max(c2, zero); c3 = f32x4.max(c3, zero);
  }
  const out = z + (<usize>(co * zStride + r) << 2), zRow = <usize>zStride << 2;
  v128.store(out, a0); v128.store(out, c0, 16);
  v128.store(out + zRow, a1); v128.store(out + zRow, c1, 16);
  v128.store(out + 2 * zRow, a2); v128.store(out + 2 * zRow, c2, 16);
  v128.store(out + 3 * zRow, a3); v128.store(out + 3 * zRow, c3, 16);
}

// @ts-ignore: decorator
@inline
function forward2(x: usize, K: i32, R: i32, r: i32, w: usize, Co: i32, co: i32, bias: usize, relu: bool, z: usize, zStride: i32): void {
  const bp = bias + (<usize>co << 2);
  const b0 = v128.load32_splat(bp), b1 = v128.load32_splat(bp, 4);
  const rowBytes = <usize>R << 2, wStep = <usize>Co << 2;
  let a0 = b0, a1 = b1, c0 = b0, c1 = b1;
  let xp = x + (<usize>r << 2), wp = w + (<usize>co << 2);
  for (let k = 0; k < K; k++) {
    const x0 = v128.load(xp), x1 = v128.load(xp, 16);
    const w0 = v128.load32_splat(wp), w1 = v128.load32_splat(wp, 4);
    a0 = f32x4.add(a0, f32x4.mul(x0, w0)); c0 = f32x4.add(c0, f32x4.mul(x1, w0));
    a1 = f32x4.add(a1, f32x4.mul(x0, w1)); c1 = f32x4.add(c1, f32x4.mul(x1, w1));
    xp += rowBytes;
    wp += wStep;
  }
  if (relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.max(a0, zero); a1 = f32x4.max(a1, zero); c0 = f32x4.max(c0, zero); c1 = f32x4.max(c1, zero);
  }
  const out = z + (<usize>(co * zStride + r) << 2), zRow = <usize>zStride << 2;
  v128.store(out, a0); v128.store(out, c0, 16);
  v128.store(out + zRow, a1); v128.store(out + zRow, c1, 16);
}

// @ts-ignore: decorator
@inline
function forward1(x: usize, K: i32, R: i32, r: i32, w: usize, Co: i32, co: i32, bias: usize, relu: bool, z: usize, zStride: i32): void {
  const b0 = v128.load32_splat(bias + (<usize>co << 2));
  const rowBytes = <usize>R << 2, wStep = <usize>Co << 2;
  let a0 = b0, c0 = b0;
  let xp = x + (<usize>r << 2), wp = w + (<usize>co << 2);
  for (let k = 0; k < K; k++) {
    const w0 = v128.load32_splat(wp);
    a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), w0));
    c0 = f32x4.add(c0, f32x4.mul(v128.load(xp, 16), w0));
    xp += rowBytes;
    wp += wStep;
  }
  if (relu) {
    const zero = f32x4.splat(0);
    a0 = f32x4.max(a0, zero); c0 = f32x4.max(c0, zero);
  }
  const out = z + (<usize>(co * zStride + r) << 2);
  v128.store(out, a0);
  v128.store(out, c0, 16);
}

/**
 * dw[k][co] (+)= sum_r X[k][r] dz[co][r] over the R columns of X (a chunk of the batch; the rows of dz are
 * dzStride floats apart), added to dw when `accumulate` (the chunks after the first): tiles of outputs (2
 * rows of X by 4 channels, or 4 by 2) share their loads; each output keeps four lanes of partial sums,
 * added up in one fixed order, so the result is the same on every run.
 */
export function convFilterGrad(x: usize, K: i32, R: i32, dz: usize, dzStride: i32, Co: i32, dw: usize, accumulate: bool): void {
  const rowBytes = <usize>R << 2, dzRow = <usize>dzStride << 2;
  let k = 0;
  if ((Co & 3) == 0) {
    for (; k + 2 <= K; k += 2) for (let co = 0; co < Co; co += 4) tile2x4(x, k, rowBytes, dz, dzRow, Co, co, dw, accumulate);
  } else if ((Co & 1) == 0) {
    for (; k + 4 <= K; k += 4) for (let co = 0; co < Co; co += 2) tile4x2(x, k, rowBytes, dz, dzRow, Co, co, dw, accumulate);
  }
  for (; k < K; k++) {
    const xr = x + <usize>k * rowBytes;
    for (let co = 0; co < Co; co++) {
      let a0 = f32x4.splat(0), a1 = a0;
      const d0 = dz + <usize>co * dzRow;
      for (let r: usize = 0; r < rowBytes; r += 32) {
        a0 = f32x4.add(a0, f32x4.mul(v128.load(xr + r), v128.load(d0 + r)));
        a1 = f32x4.add(a1, f32x4.mul(v128.load(xr + r, 16), v128.load(d0 + r, 16)));
      }
      put(dw + (<usize>(k * Co + co) << 2), hsum(f32x4.add(a0, a1)), accumulate);
    }
  }
}

/** db[co] = sum_r dz[co][r] over all R columns (the padding columns of dz are zero). */
export function convBiasGrad(dz: usize, R: i32, Co: i32, db: usize): void {
  const rowBytes = <usize>R << 2;
  for (let co = 0; co < Co; co++) {
    let a0 = f32x4.splat(0), a1 = a0;
    const d0 = dz + <usize>co * rowBytes;
    for (let r: usize = 0; r < rowBytes; r += 32) {
      a0 = f32x4.add(a0, v128.load(d0 + r));
      a1 = f32x4.add(a1, v128.load(d0 + r, 16));
    }
    store<f32>(db + (<usize>co << 2), hsum(f32x4.add(a0, a1)));
  }
}

// @ts-ignore: decorator
@inline
function put(at: usize, v: f32, accumulate: bool): void {
  store<f32>(at, accumulate ? load<f32>(at) + v : v);
}

// @ts-ignore: decorator
@inline
function tile2x4(x: usize, k: i32, rowBytes: usize, dz: usize, dzRow: usize, Co: i32, co: i32, dw: usize, accumulate: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const x0 = x + <usize>k * rowBytes, x1 = x0 + rowBytes, d0 = dz + <usize>co * dzRow;
  for (let r: usize = 0; r < rowBytes; r += 16) {
    const u = v128.load(x0 + r), v = v128.load(x1 + r), d = d0 + r;
    const e0 = v128.load(d), e1 = v128.load(d + dzRow), e2 = v128.load(d + 2 * dzRow), e3 = v128.load(d + 3 * dzRow);
    a0 = f32x4.add(a0, f32x4.mul(u, e0)); b0 = f32x4.add(b0, f32x4.mul(v, e0));
    a1 = f32x4.add(a1, f32x4.mul(u, e1)); b1 = f32x4.add(b1, f32x4.mul(v, e1));
    a2 = f32x4.add(a2, f32x4.mul(u, e2)); b2 = f32x4.add(b2, f32x4.mul(v, e2));
    a3 = f32x4.add(a3, f32x4.mul(u, e3)); b3 = f32x4.add(b3, f32x4.mul(v, e3));
  }
  const o = dw + (<usize>(k * Co + co) << 2), o1 = o + (<usize>Co << 2);
  put(o, hsum(a0), accumulate); put(o + 4, hsum(a1), accumulate); put(o + 8, hsum(a2), accumulate); put(o + 12, hsum(a3), accumulate);
  put(o1, hsum(b0), accumulate); put(o1 + 4, hsum(b1), accumulate); put(o1 + 8, hsum(b2), accumulate); put(o1 + 12, hsum(b3), accumulate);
}

// @ts-ignore: decorator
@inline
function tile4x2(x: usize, k: i32, rowBytes: usize, dz: usize, dzRow: usize, Co: i32, co: i32, dw: usize, accumulate: bool): void {
  let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0, b0 = a0, b1 = a0, b2 = a0, b3 = a0;
  const x0 = x + <usize>k * rowBytes, d0 = dz + <usize>co * dzRow, d1 = d0 + dzRow;
  for (let r: usize = 0; r < rowBytes; r += 16) {
    const e = v128.load(d0 + r), f = v128.load(d1 + r), xp = x0 + r;
    const u0 = v128.load(xp), u1 = v128.load(xp + rowBytes), u2 = v128.load(xp + 2 * rowBytes), u3 = v128.load(xp + 3 * rowBytes);
    a0 = f32x4.add(a0, f32x4.mul(u0, e)); b0 = f32x4.add(b0, f32x4.mul(u0, f));
    a1 = f32x4.add(a1, f32x4.mul(u1, e)); b1 = f32x4.add(b1, f32x4.mul(u1, f));
    a2 = f32x4.add(a2, f32x4.mul(u2, e)); b2 = f32x4.add(b2, f32x4.mul(u2, f));
    a3 = f32x4.add(a3, f32x4.mul(u3, e)); b3 = f32x4.add(b3, f32x4.mul(u3, f));
  }
  const o = dw + (<usize>(k * Co + co) << 2), step = <usize>Co << 2;
  put(o, hsum(a0), accumulate); put(o + 4, hsum(b0), accumulate);
  put(o + step, hsum(a1), accumulate); put(o + step + 4, hsum(b1), accumulate);
  put(o + 2 * step, hsum(a2), accumulate); put(o + 2 * step + 4, hsum(b2), accumulate);
  put(o + 3 * step, hsum(a3), accumulate); put(o + 3 * step + 4, hsum(b3), accumulate);
}
