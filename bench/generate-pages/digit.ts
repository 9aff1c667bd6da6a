// A handwritten digit as a writer other than MNIST's might leave it: an MNIST *test* digit stretched or
// condensed, slanted, with its tail drawn long below the line, and its stroke made bolder or thinner by
// dilation or erosion at the size it is written.
import type { IdxDataset } from '../../src/data/idx.js';
import type { Layer } from './canvas.js';
import type { Rand } from '../generate/seed.js';

/** How one digit is written. */
export interface DigitStyle {
  /** Ink height in pixels of the digit's body (its top to its baseline). */
  height: number;
  /** Width relative to MNIST's own proportions: 0.7 condensed .. 1.3 stretched. */
  widthScale: number;
  /** Slant: horizontal shift per pixel of height (positive leans right). */
  slant: number;
  /** The lower part of the digit is drawn this many times taller (1 = as written; 4, 7 and 9 grow a long tail). */
  descender: number;
  /** Pen change in pixels: positive dilates by that radius, negative erodes. */
  pen: number;
}

/** A digit drawn into a patch: its coverage, its ink box and where its baseline lies. */
export interface DigitPatch extends Layer {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Row of the patch on which the digit's body stands (its tail, if long, hangs below). */
  base: number;
}

/** Coverage counted as ink for boxes and spacing. */
export const INK = 0.25;
/** Digits whose tail a writer may draw long below the line. */
export const TAILED = new Set([4, 7, 9]);

/** A random style for a digit of `label`, around a line's `height`, `slant` and `pen`. */
export function digitStyle(
  rand: Rand,
  label: number,
  line: { height: number; slant: number; pen: number },
): DigitStyle {
  return {
    height: line.height * rand.uniform(0.93, 1.07),
    widthScale: rand.chance(0.4) ? rand.uniform(0.7, 1.3) : rand.uniform(0.9, 1.1),
    slant: line.slant + rand.uniform(-0.06, 0.06),
    descender: TAILED.has(label) && rand.chance(0.35) ? rand.uniform(1.3, 1.9) : 1,
    pen: line.pen,
  };
}

/** MNIST digit `k` drawn in `style` (see the file comment). */
export function drawDigitPatch(mnist: IdxDataset, k: number, style: DigitStyle): DigitPatch {
  const { rows, cols } = mnist;
  const off = k * rows * cols;
  let sx0 = cols,
    sy0 = rows,
    sx1 = -1,
    sy1 = -1;
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++)
      if (mnist.images[off + y * cols + x] >= 64) {
        sx0 = Math.min(sx0, x);
        sx1 = Math.max(sx1, x);
        sy0 = Math.min(sy0, y);
        sy1 = Math.max(sy1, y);
      }
  if (sx1 < 0) [sx0, sy0, sx1, sy1] = [0, 0, cols - 1, rows - 1];
  const srcH = sy1 - sy0 + 1;
  const s = style.height / srcH;
  const sxScale = s * style.widthScale;
  // rows below `split` (source) are stretched by `descender`
  const split = sy0 + 0.55 * srcH;
  const stretchedH = (split - sy0) * s + (sy1 + 1 - split) * s * style.descender;
  const pad = Math.ceil(Math.abs(style.pen)) + 3;
  const bodyW = (sx1 - sx0 + 1) * sxScale;
  // the slant pivots on the baseline, so the foot of the digit stays where it is put
  const baseRow = pad + (sy1 + 1 - sy0) * s;
  const shifts = [style.slant * (baseRow - pad), style.slant * (baseRow - pad - stretchedH)];
  const minShift = Math.min(...shifts),
    maxShift = Math.max(...shifts);
  const width = Math.ceil(bodyW + maxShift - minShift + 2 * pad),
    height = Math.ceil(stretchedH + 2 * pad);
  const data = new Float32Array(width * height);
  const img = mnist.images;
  const at = (u: number, v: number) => (u < 0 || v < 0 || u >= cols || v >= rows ? 0 : img[off + v * cols + u]);
  const leanOrigin = pad - minShift;
  for (let py = 0; py < height; py++) {
    const ly = py + 0.5 - pad;
    const splitPx = (split - sy0) * s;
    const v = ly < splitPx ? sy0 + ly / s : split + (ly - splitPx) / (s * style.descender);
    const shift = style.slant * (baseRow - (py + 0.5));
    for (let px = 0; px < width; px++) {
      const u = sx0 + (px + 0.5 - leanOrigin - shift) / sxScale;
      const uu = u - 0.5,
        vv = v - 0.5;
      const iu = Math.floor(uu),
        iv = Math.floor(vv);
      const fu = uu - iu,
        fv = vv - iv;
      const c =
        ((at(iu, iv) * (1 - fu) + at(iu + 1, iv) * fu) * (1 - fv) +
          (at(iu, iv + 1) * (1 - fu) + at(iu + 1, iv + 1) * fu) * fv) /
        255;
      data[py * width + px] = c;
    }
  }
  const out = morph({ width, height, data }, style.pen);
  let x0 = width,
    y0 = height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (out.data[y * width + x] >= INK) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  if (x1 < 0) [x0, y0, x1, y1] = [0, 0, width - 1, height - 1];
  const base = style.descender > 1 ? Math.round(baseRow) : y1;
  return { ...out, x0, y0, x1, y1, base };
}

/**
 * Grey dilation (radius > 0) or erosion (radius < 0) by a disc; a fractional radius blends the result with
 * the next smaller disc's, so the pen can change by less than a pixel.
 */
function morph(src: Layer, radius: number): Layer {
  if (Math.abs(radius) < 0.05) return src;
  const r = Math.abs(radius);
  const whole = Math.floor(r),
    frac = r - whole;
  const grow = radius > 0;
  const a = whole > 0 ? discFilter(src, whole, grow) : src;
  if (frac < 0.05) return a;
  const b = discFilter(src, whole + 1, grow);
  const data = new Float32Array(a.data.length);
  for (let i = 0; i < data.length; i++) data[i] = a.data[i] + frac * (b.data[i] - a.data[i]);
  return { width: src.width, height: src.height, data };
}

function discFilter(src: Layer, r: number, grow: boolean): Layer {
  const { width: w, height: h } = src;
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      let m = grow ? 0 : 1;
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        for (let dx = -r; dx <= r; dx++) {
          if (dx * dx + dy * dy > r * r + r) continue;
          const xx = x + dx;
          const v = yy < 0 || xx < 0 || yy >= h || xx >= w ? 0 : src.data[yy * w + xx];
          m = grow ? Math.max(m, v) : Math.min(m, v);
        }
      }
      data[y * w + x] = m;
    }
  }
  return { width: w, height: h, data };
}
