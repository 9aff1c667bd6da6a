// The im2col buffer of a convolution (valid padding, stride 1) on a channel-major map [C][N][H][rowW]
// (`plane` floats per channel): X[k][r] with k = (kh*KW + kw)*C + ci, the row order of a tfjs HWIO filter
// seen as [K][Co], and r = (n*OH + oh)*OW + ow. Each row of X has R >= N*OH*OW columns; those past
// N*OH*OW are zero.

/**
 * Fill X from samples n0 .. n0+N of the map `a` (a chunk of the batch: r counts from the chunk's first sample).
 * Reads up to 3 floats past a row (the map needs 16 bytes of slack); writes to X's slack too.
 */
export function im2col(a: usize, C: i32, n0: i32, N: i32, H: i32, rowW: i32, plane: i32, KH: i32, KW: i32, OH: i32, OW: i32, R: i32, x: usize): void {
  const used = N * OH * OW;
  const rowBytes = <usize>OW << 2, srcRow = <usize>rowW << 2, vecEnd = <usize>((OW + 3) & ~3) << 2;
  for (let kh = 0; kh < KH; kh++) {
    for (let kw = 0; kw < KW; kw++) {
      for (let ci = 0; ci < C; ci++) {
        const k = (kh * KW + kw) * C + ci;
        let dst = x + (<usize>(k * R) << 2);
        for (let n = 0; n < N; n++) {
          let src = a + (<usize>(ci * plane + ((n0 + n) * H + kh) * rowW + kw) << 2);
          // Whole vectors per row, in increasing order: a row's last vector may run into the next row's
          // first columns, which that row then overwrites.
          for (let oh = 0; oh < OH; oh++) {
            for (let b: usize = 0; b < vecEnd; b += 16) v128.store(dst + b, v128.load(src + b));
            dst += rowBytes;
            src += srcRow;
          }
        }
      }
    }
  }
  // Zeros after every row's used columns (also what the last vectors left there).
  for (let k = 0, K = KH * KW * C; k < K; k++) memory.fill(x + (<usize>(k * R + used) << 2), 0, <usize>(R - used) << 2);
}
