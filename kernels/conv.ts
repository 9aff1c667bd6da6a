// Convolution (valid padding, stride 1) as matrix products over an im2col buffer, all channel-major:
// a feature map is [C][N][H][rowW] (rowW >= W leaves room for vector tails) with `plane` floats per
// channel; the im2col buffer X is [K][R] with k = (kh*KW + kw)*C + ci, the row order of a tfjs HWIO
// filter seen as [K][Co], and r = (n*OH + oh)*OWp + ow, where OWp rounds OW up to whole vectors so every
// row of the output is vectors only. Padding columns of X are zero, so they produce bias-only outputs that
// nobody reads and, given zero gradients there, add nothing to the filter gradient.
import { hsum } from './vec';

/** Fill X [K][R] from the map `a` (channel-major); columns past OW in each output row stay zero. */
export function im2col(a: usize, C: i32, N: i32, H: i32, rowW: i32, plane: i32, KH: i32, KW: i32, OH: i32, OW: i32, OWp: i32, R: i32, x: usize): void {
  const K = KH * KW * C;
  // Only padding needs zeros: all of X when rows are padded, else the columns past N*OH*OW.
  if (OW != OWp) memory.fill(x, 0, <usize>(K * R) << 2);
  else {
    const used = N * OH * OW;
    for (let k = 0; k < K; k++) memory.fill(x + (<usize>(k * R + used) << 2), 0, <usize>(R - used) << 2);
  }
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < C; ci++) {
        const k = (kh * KW + kw) * C + ci;
        let dst = x + (<usize>(k * R) << 2);
        for (let n = 0; n < N; n++) {
          let src = a + (<usize>(ci * plane + (n * H + kh) * rowW + kw) << 2);
          for (let oh = 0; oh < OH; oh++) {
            memory.copy(dst, src, <usize>OW << 2);
            dst += <usize>OWp << 2;
            src += <usize>rowW << 2;
          }
        }
      }
    }
  }
}

/**
 * z[co][r] = bias[co] + sum_k X[k][r] w[k][co], then ReLU when asked. R is a multiple of 8: the
 * products run on 8 rows (two vectors) at a time, four output channels sharing each load of X.
 */
export function convForward(x: usize, K: i32, R: i32, w: usize, Co: i32, bias: usize, relu: bool, z: usize): void {
  let co = 0;
  for (; co + 4 <= Co; co += 4) forward4(x, K, R, w, Co, co, bias, relu, z);
  for (; co < Co; co++) forward1(x, K, R, w, Co, co, bias, relu, z);
}

function forward4(x: usize, K: i32, R: i32, w: usize, Co: i32, co: i32, bias: usize, relu: bool, z: usize): void {
  const b0 = v128.load32_splat(bias + (<usize>co << 2));
  const b1 = v128.load32_splat(bias + (<usize>co << 2), 4);
  const b2 = v128.load32_splat(bias + (<usize>co << 2), 8);
  const b3 = v128.load32_splat(bias + (<usize>co << 2), 12);
  const rowBytes = <usize>R << 2, wStep = <usize>Co << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < R; r += 8) {
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
      a0 = f32x4.max(a0, zero); a1 = f32x4.max(a1, zero); a2 = f32x4.max(a2, zero); a3 = f32x4.max(a3, zero);
      c0 = f32x4.max(c0, zero); c1 = f32x4.max(c1, zero); c2 = f32x4.max(c2, zero); c3 = f32x4.max(c3, zero);
    }
    const out = z + (<usize>(co * R + r) << 2);
    v128.store(out, a0); v128.store(out, c0, 16);
    v128.store(out + rowBytes, a1); v128.store(out + rowBytes, c1, 16);
    v128.store(out + 2 * rowBytes, a2); v128.store(out + 2 * rowBytes, c2, 16);
    v128.store(out + 3 * rowBytes, a3); v128.store(out + 3 * rowBytes, c3, 16);
  }
}

function forward1(x: usize, K: i32, R: i32, w: usize, Co: i32, co: i32, bias: usize, relu: bool, z: usize): void {
  const b0 = v128.load32_splat(bias + (<usize>co << 2));
  const rowBytes = <usize>R << 2, wStep = <usize>Co << 2;
  const zero = f32x4.splat(0);
  for (let r = 0; r < R; r += 8) {
    let a0 = b0, c0 = b0;
    let xp = x + (<usize>r << 2), wp = w + (<usize>co << 2);
    for (let k = 0; k < K; k++) {
      const w0 = v128.load32_splat(wp);
      a0 = f32x4.add(a0, f32x4.mul(v128.load(xp), w0));
      c0 = f32x4.add(c0, f32x4.mul(v128.load(xp, 16), w0));
      xp += rowBytes;
      wp += wStep;
    }
    if (relu) { a0 = f32x4.max(a0, zero); c0 = f32x4.max(c0, zero); }
    const out = z + (<usize>(co * R + r) << 2);
    v128.store(out, a0);
    v128.store(out, c0, 16);
  }
}

/**
 * dw[k][co] = sum_r X[k][r] dz[co][r] and db[co] = sum_r dz[co][r]: four lanes of partial sums per
 * output, added up in a fixed order, so the result is the same on every run.
 */
export function convFilterGrad(x: usize, K: i32, R: i32, dz: usize, Co: i32, dw: usize, db: usize): void {
  const rowBytes = <usize>R << 2;
  for (let k = 0; k < K; k++) {
    const xr = x + <usize>k * rowBytes;
    let co = 0;
    for (; co + 4 <= Co; co += 4) {
      let a0 = f32x4.splat(0), a1 = a0, a2 = a0, a3 = a0;
      const d0 = dz + <usize>co * rowBytes;
      for (let r: usize = 0; r < rowBytes; r += 16) {
        const xv = v128.load(xr + r);
        const d = d0 + r;
        a0 = f32x4.add(a0, f32x4.mul(xv, v128.load(d)));
        a1 = f32x4.add(a1, f32x4.mul(xv, v128.load(d + rowBytes)));
        a2 = f32x4.add(a2, f32x4.mul(xv, v128.load(d + 2 * rowBytes)));
        a3 = f32x4.add(a3, f32x4.mul(xv, v128.load(d + 3 * rowBytes)));
      }
      const o = dw + (<usize>(k * Co + co) << 2);
      store<f32>(o, hsum(a0)); store<f32>(o, hsum(a1), 4); store<f32>(o, hsum(a2), 8); store<f32>(o, hsum(a3), 12);
    }
    for (; co < Co; co++) {
      let a0 = f32x4.splat(0);
      const d0 = dz + <usize>co * rowBytes;
      for (let r: usize = 0; r < rowBytes; r += 16) a0 = f32x4.add(a0, f32x4.mul(v128.load(xr + r), v128.load(d0 + r)));
      store<f32>(dw + (<usize>(k * Co + co) << 2), hsum(a0));
    }
  }
  for (let co = 0; co < Co; co++) {
    let a0 = f32x4.splat(0);
    const d0 = dz + <usize>co * rowBytes;
    for (let r: usize = 0; r < rowBytes; r += 16) a0 = f32x4.add(a0, v128.load(d0 + r));
    store<f32>(db + (<usize>co << 2), hsum(a0));
  }
}

/**
 * The gradient with respect to the convolution's input map `da` ([C][N][H][rowW], `plane` per channel):
 * da[ci][n][oh+kh][ow+kw] += sum_co w[k][co] dz[co][r], one output row of vectors at a time, two rows
 * sharing each weight load. Vectors cross past OW into the next columns; dz is zero there, so they add
 * zeros, and `da` needs 16 bytes of slack after its last channel.
 */
export function convInputGrad(dz: usize, Co: i32, R: i32, w: usize, C: i32, N: i32, H: i32, rowW: i32, plane: i32, KH: i32, KW: i32, OH: i32, OWp: i32, da: usize): void {
  memory.fill(da, 0, (<usize>(C * plane) << 2) + 16);
  const rowBytes = <usize>R << 2, rows = N * OH, wStep: usize = 4;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < C; ci++) {
        const wk = w + (<usize>(((kh * KW + kw) * C + ci) * Co) << 2);
        const base = da + (<usize>(ci * plane + kh * rowW + kw) << 2);
        let q = 0;
        for (; q + 2 <= rows; q += 2) {
          const t0 = base + (<usize>(((q / OH) * H + q % OH) * rowW) << 2);
          const t1 = base + (<usize>((((q + 1) / OH) * H + (q + 1) % OH) * rowW) << 2);
          const s0 = dz + (<usize>(q * OWp) << 2), s1 = s0 + (<usize>OWp << 2);
          for (let ow: usize = 0; ow < (<usize>OWp << 2); ow += 16) {
            let a0 = f32x4.splat(0), a1 = a0;
            let wp = wk, d = ow;
            for (let co = 0; co < Co; co++) {
              const wv = v128.load32_splat(wp);
              a0 = f32x4.add(a0, f32x4.mul(wv, v128.load(s0 + d)));
              a1 = f32x4.add(a1, f32x4.mul(wv, v128.load(s1 + d)));
              wp += wStep;
              d += rowBytes;
            }
            v128.store(t0 + ow, f32x4.add(v128.load(t0 + ow), a0));
            v128.store(t1 + ow, f32x4.add(v128.load(t1 + ow), a1));
          }
        }
        for (; q < rows; q++) {
          const t0 = base + (<usize>(((q / OH) * H + q % OH) * rowW) << 2);
          const s0 = dz + (<usize>(q * OWp) << 2);
          for (let ow: usize = 0; ow < (<usize>OWp << 2); ow += 16) {
            let a0 = f32x4.splat(0);
            let wp = wk, d = ow;
            for (let co = 0; co < Co; co++) {
              a0 = f32x4.add(a0, f32x4.mul(v128.load32_splat(wp), v128.load(s0 + d)));
              wp += wStep;
              d += rowBytes;
            }
            v128.store(t0 + ow, f32x4.add(v128.load(t0 + ow), a0));
          }
        }
      }
    }
  }
}
