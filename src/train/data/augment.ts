/** Ranges of the random affine distortion applied to training pictures. */
export interface AugmentRanges {
  /** Maximum rotation either way, degrees. */
  rotateDeg: number;
  /** Maximum relative scale change either way (0.1 = 90%..110%). */
  scale: number;
  /** Maximum shift either way along each axis, pixels. */
  shiftPx: number;
}

/**
 * Small distortions a handwritten digit survives: no flips (a mirrored 2 is not a 2), a few degrees
 * of slant, a little size change and off-centre placement, like the drawings the models meet later.
 */
export const DEFAULT_AUGMENT: AugmentRanges = { rotateDeg: 10, scale: 0.1, shiftPx: 2 };

/**
 * Warp one rows x cols picture (values in [0, 1], background 0) by a random rotation, scale and shift
 * about its centre, with bilinear sampling; pixels mapped from outside the picture are background.
 * `rand` supplies the three random draws, so a seeded generator gives a reproducible result.
 */
export function augmentPicture(
  src: Float32Array,
  dst: Float32Array,
  rows: number,
  cols: number,
  rand: () => number,
  r: AugmentRanges = DEFAULT_AUGMENT,
): void {
  const angle = ((rand() * 2 - 1) * r.rotateDeg * Math.PI) / 180;
  const s = 1 + (rand() * 2 - 1) * r.scale;
  const tx = (rand() * 2 - 1) * r.shiftPx;
  const ty = (rand() * 2 - 1) * r.shiftPx;
  // Inverse map: for each output pixel find where it came from, so every output pixel is written once.
  const cos = Math.cos(angle) / s,
    sin = Math.sin(angle) / s;
  const cx = (cols - 1) / 2,
    cy = (rows - 1) / 2;
  // Out-of-picture neighbours read as background. Written without a per-pixel helper closure: under
  // loaders that wrap every function (tsx's keep-names) such a closure costs far more than the arithmetic.
  const px = (yy: number, xx: number): number =>
    yy < 0 || yy >= rows || xx < 0 || xx >= cols ? 0 : src[yy * cols + xx];
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      const dx = x - cx - tx,
        dy = y - cy - ty;
      const sx = cos * dx + sin * dy + cx;
      const sy = -sin * dx + cos * dy + cy;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      let a: number, b: number, c: number, d: number;
      if (x0 >= 0 && x0 + 1 < cols && y0 >= 0 && y0 + 1 < rows) {
        const i = y0 * cols + x0;
        a = src[i];
        b = src[i + 1];
        c = src[i + cols];
        d = src[i + cols + 1];
      } else {
        a = px(y0, x0);
        b = px(y0, x0 + 1);
        c = px(y0 + 1, x0);
        d = px(y0 + 1, x0 + 1);
      }
      dst[y * cols + x] = (a * (1 - fx) + b * fx) * (1 - fy) + (c * (1 - fx) + d * fx) * fy;
    }
  }
}

/**
 * A generator seed for one sample of one optimizer step, independent of how the batch is split across
 * workers: the same (seed, step, position in the batch) always draws the same distortion.
 */
export function sampleSeed(seed: number, step: number, position: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const v of [step, position]) {
    h = Math.imul(h ^ v, 0x85ebca6b) >>> 0;
    h = (h ^ (h >>> 13)) >>> 0;
    h = Math.imul(h, 0xc2b2ae35) >>> 0;
    h = (h ^ (h >>> 16)) >>> 0;
  }
  return h;
}
