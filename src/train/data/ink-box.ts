/**
 * Where the ink of a training picture lies, however it is held (float ink on a canvas, bytes of a rendered
 * picture): the box the generators place pieces by and the fit crops to.
 */

/** Where the ink of a `rows` x `cols` picture lies: its box (inclusive) and mass, counting values over `level`. */
export function inkBox(
  src: ArrayLike<number>,
  rows: number,
  cols: number,
  level = 0.2,
): { x0: number; y0: number; x1: number; y1: number; mass: number } | null {
  let x0 = cols,
    y0 = rows,
    x1 = -1,
    y1 = -1,
    mass = 0;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const v = src[y * cols + x];
      mass += v;
      if (v <= level) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? null : { x0, y0, x1, y1, mass };
}
