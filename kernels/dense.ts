// Dense layers on row-major [N][I] activations with tfjs's [I][O] kernels, and their gradients. Vectors
// run along the outputs; a scalar loop takes the last O % 4.
import { hsum } from './vec';

/** out[n][o] = bias[o] + sum_i a[n][i] w[i][o], then ReLU when asked; four rows share each load of w. */
export function denseProducts(a: usize, N: i32, I: i32, w: usize, O: i32, bias: usize, relu: bool, out: usize): void {
  const vecO = O & ~3, rowA = <usize>I << 2, rowO = <usize>O << 2;
  const zero = f32x4.splat(0);
  let n = 0;
  for (; n + 4 <= N; n += 4) {
    const a0 = a + <usize>n * rowA;
    const o0 = out + <usize>n * rowO;
    for (let j = 0; j < vecO; j += 4) {
      const b = v128.load(bias + (<usize>j << 2));
      let s0 = b, s1 = b, s2 = b, s3 = b;
      let wp = w + (<usize>j << 2), ap = a0;
      for (let i = 0; i < I; i++) {
        const wv = v128.load(wp);
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), wv));
        s1 = f32x4.add(s1, f32x4.mul(v128.load32_splat(ap + rowA), wv));
        s2 = f32x4.add(s2, f32x4.mul(v128.load32_splat(ap + 2 * rowA), wv));
        s3 = f32x4.add(s3, f32x4.mul(v128.load32_splat(ap + 3 * rowA), wv));
        wp += rowO;
        ap += 4;
      }
      if (relu) { s0 = f32x4.max(s0, zero); s1 = f32x4.max(s1, zero); s2 = f32x4.max(s2, zero); s3 = f32x4.max(s3, zero); }
      const op = o0 + (<usize>j << 2);
      v128.store(op, s0); v128.store(op + rowO, s1); v128.store(op + 2 * rowO, s2); v128.store(op + 3 * rowO, s3);
    }
    for (let r = 0; r < 4; r++) denseTail(a0 + <usize>r * rowA, I, w, O, vecO, bias, relu, o0 + <usize>r * rowO);
  }
  for (; n < N; n++) {
    const ar = a + <usize>n * rowA, or = out + <usize>n * rowO;
    for (let j = 0; j < vecO; j += 4) {
      let s = v128.load(bias + (<usize>j << 2));
      let wp = w + (<usize>j << 2), ap = ar;
      for (let i = 0; i < I; i++) {
        s = f32x4.add(s, f32x4.mul(v128.load32_splat(ap), v128.load(wp)));
        wp += rowO;
        ap += 4;
      }
      if (relu) s = f32x4.max(s, zero);
      v128.store(or + (<usize>j << 2), s);
    }
    denseTail(ar, I, w, O, vecO, bias, relu, or);
  }
}

function denseTail(ar: usize, I: i32, w: usize, O: i32, from: i32, bias: usize, relu: bool, or: usize): void {
  for (let j = from; j < O; j++) {
    let s = load<f32>(bias + (<usize>j << 2));
    for (let i = 0; i < I; i++) s += load<f32>(ar + (<usize>i << 2)) * load<f32>(w + (<usize>(i * O + j) << 2));
    if (relu && !(s > 0)) s = 0;
    store<f32>(or + (<usize>j << 2), s);
  }
}

/** dw[i][o] = sum_n a[n][i] d[n][o] and db[o] = sum_n d[n][o], the rows added in order. */
export function denseFilterGrad(a: usize, d: usize, N: i32, I: i32, O: i32, dw: usize, db: usize): void {
  const vecO = O & ~3, rowA = <usize>I << 2, rowO = <usize>O << 2;
  for (let i = 0; i < I; i++) {
    const wr = dw + <usize>i * rowO;
    let j = 0;
    for (; j + 16 <= vecO; j += 16) {
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      let ap = a + (<usize>i << 2), dp = d + (<usize>j << 2);
      for (let n = 0; n < N; n++) {
        const av = v128.load32_splat(ap);
        s0 = f32x4.add(s0, f32x4.mul(av, v128.load(dp)));
        s1 = f32x4.add(s1, f32x4.mul(av, v128.load(dp, 16)));
        s2 = f32x4.add(s2, f32x4.mul(av, v128.load(dp, 32)));
        s3 = f32x4.add(s3, f32x4.mul(av, v128.load(dp, 48)));
        ap += rowA;
        dp += rowO;
      }
      const o = wr + (<usize>j << 2);
      v128.store(o, s0); v128.store(o, s1, 16); v128.store(o, s2, 32); v128.store(o, s3, 48);
    }
    for (; j < vecO; j += 4) {
      let s0 = f32x4.splat(0);
      let ap = a + (<usize>i << 2), dp = d + (<usize>j << 2);
      for (let n = 0; n < N; n++) {
        s0 = f32x4.add(s0, f32x4.mul(v128.load32_splat(ap), v128.load(dp)));
        ap += rowA;
        dp += rowO;
      }
      v128.store(wr + (<usize>j << 2), s0);
    }
    for (; j < O; j++) {
      let s: f32 = 0;
      for (let n = 0; n < N; n++) s += load<f32>(a + <usize>n * rowA + (<usize>i << 2)) * load<f32>(d + <usize>n * rowO + (<usize>j << 2));
      store<f32>(wr + (<usize>j << 2), s);
    }
  }
  for (let j = 0; j < O; j++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) s += load<f32>(d + <usize>n * rowO + (<usize>j << 2));
    store<f32>(db + (<usize>j << 2), s);
  }
}

/** da[n][i] = sum_o d[n][o] w[i][o]: a dot product per input, four inputs sharing each load of d. */
export function denseInputGrad(d: usize, N: i32, O: i32, w: usize, I: i32, da: usize): void {
  const vecO = O & ~3, rowO = <usize>O << 2, rowA = <usize>I << 2;
  for (let n = 0; n < N; n++) {
    const dr = d + <usize>n * rowO, ar = da + <usize>n * rowA;
    let i = 0;
    for (; i + 4 <= I; i += 4) {
      const w0 = w + <usize>i * rowO;
      let s0 = f32x4.splat(0), s1 = s0, s2 = s0, s3 = s0;
      for (let j: usize = 0; j < (<usize>vecO << 2); j += 16) {
        const dv = v128.load(dr + j);
        s0 = f32x4.add(s0, f32x4.mul(dv, v128.load(w0 + j)));
        s1 = f32x4.add(s1, f32x4.mul(dv, v128.load(w0 + rowO + j)));
        s2 = f32x4.add(s2, f32x4.mul(dv, v128.load(w0 + 2 * rowO + j)));
        s3 = f32x4.add(s3, f32x4.mul(dv, v128.load(w0 + 3 * rowO + j)));
      }
      let t0 = hsum(s0), t1 = hsum(s1), t2 = hsum(s2), t3 = hsum(s3);
      for (let j = vecO; j < O; j++) {
        const dj = load<f32>(dr + (<usize>j << 2)), off = <usize>j << 2;
        t0 += dj * load<f32>(w0 + off);
        t1 += dj * load<f32>(w0 + rowO + off);
        t2 += dj * load<f32>(w0 + 2 * rowO + off);
        t3 += dj * load<f32>(w0 + 3 * rowO + off);
      }
      const o = ar + (<usize>i << 2);
      store<f32>(o, t0); store<f32>(o, t1, 4); store<f32>(o, t2, 8); store<f32>(o, t3, 12);
    }
    for (; i < I; i++) {
      const wr = w + <usize>i * rowO;
      let s0 = f32x4.splat(0);
      for (let j: usize = 0; j < (<usize>vecO << 2); j += 16) s0 = f32x4.add(s0, f32x4.mul(v128.load(dr + j), v128.load(wr + j)));
      let t = hsum(s0);
      for (let j = vecO; j < O; j++) t += load<f32>(dr + (<usize>j << 2)) * load<f32>(wr + (<usize>j << 2));
      store<f32>(ar + (<usize>i << 2), t);
    }
  }
}
