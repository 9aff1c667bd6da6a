// A handwritten digit as ink coverage: an MNIST test digit scaled and rotated into a small patch, with the
// box of its ink. Pictures are composed from these patches, so a digit's box is known exactly.
import type { IdxDataset } from '../../src/data/idx.js';
import type { Box } from './types.js';

/**
 * Coverage at or above which a pixel counts as ink for the truth boxes. MNIST's anti-aliased rims fade to
 * a few grey levels; counting those would make boxes a pixel or two wider than any eye or segmenter sees.
 */
export const INK_THRESHOLD = 0.2;

/** Ink coverage in [0, 1] over a `width` x `height` patch, and the box of its ink inside the patch. */
export interface InkPatch {
  width: number;
  height: number;
  coverage: Float32Array;
  ink: Box;
}

/** Box of the pixels of MNIST digit `k` at or above INK_THRESHOLD, in its 28x28 field. */
export function sourceInkBox(mnist: IdxDataset, k: number): Box {
  const { rows, cols } = mnist;
  const off = k * rows * cols;
  const cut = INK_THRESHOLD * 255;
  let x0 = cols,
    y0 = rows,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      if (mnist.images[off + y * cols + x] >= cut) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return { x: 0, y: 0, width: cols, height: rows };
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * MNIST digit `k` magnified `scale` times and turned by `angle` radians (positive is clockwise on screen),
 * sampled bilinearly from the grey values so strokes keep MNIST's soft edges at any size.
 */
export function renderDigit(mnist: IdxDataset, k: number, scale: number, angle: number): InkPatch {
  const { rows, cols } = mnist;
  const img = mnist.images;
  const off = k * rows * cols;
  const cos = Math.cos(angle),
    sin = Math.sin(angle);
  const w = Math.ceil((cols * Math.abs(cos) + rows * Math.abs(sin)) * scale) + 2;
  const h = Math.ceil((cols * Math.abs(sin) + rows * Math.abs(cos)) * scale) + 2;
  const cx = w / 2,
    cy = h / 2;
  const coverage = new Float32Array(w * h);
  const inv = 1 / scale;
  let x0 = w,
    y0 = h,
    x1 = -1,
    y1 = -1;
  for (let py = 0; py < h; py++) {
    const dy = py + 0.5 - cy;
    for (let px = 0; px < w; px++) {
      const dx = px + 0.5 - cx;
      // Inverse rotation back into the source field, whose pixel centres sit at integer + 0.5.
      const u = (cos * dx + sin * dy) * inv + cols / 2 - 0.5;
      const v = (-sin * dx + cos * dy) * inv + rows / 2 - 0.5;
      if (u <= -1 || v <= -1 || u >= cols || v >= rows) continue;
      const iu = Math.floor(u),
        iv = Math.floor(v);
      const fu = u - iu,
        fv = v - iv;
      // Outside the field counts as blank paper, which MNIST's own border already is.
      const inU0 = iu >= 0,
        inU1 = iu + 1 < cols,
        inV0 = iv >= 0,
        inV1 = iv + 1 < rows;
      const r0 = off + iv * cols + iu,
        r1 = r0 + cols;
      const p00 = inU0 && inV0 ? img[r0] : 0,
        p10 = inU1 && inV0 ? img[r0 + 1] : 0;
      const p01 = inU0 && inV1 ? img[r1] : 0,
        p11 = inU1 && inV1 ? img[r1 + 1] : 0;
      const c = ((p00 + (p10 - p00) * fu) * (1 - fv) + (p01 + (p11 - p01) * fu) * fv) / 255;
      if (c <= 0) continue;
      coverage[py * w + px] = c;
      if (c >= INK_THRESHOLD) {
        if (px < x0) x0 = px;
        if (px > x1) x1 = px;
        if (py < y0) y0 = py;
        if (py > y1) y1 = py;
      }
    }
  }
  const ink = x1 < 0 ? { x: 0, y: 0, width: w, height: h } : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  return { width: w, height: h, coverage, ink };
}

/**
 * Lay `patch` onto the picture's coverage so that its ink box's top-left lands at (`x`, `y`); overlapping
 * ink keeps the darker of the two, as a second pen stroke over the first barely darkens it. Returns the
 * ink box in picture pixels, clipped to the picture.
 */
export function paste(canvas: Float32Array, width: number, height: number, patch: InkPatch, x: number, y: number): Box {
  const ox = Math.round(x) - patch.ink.x,
    oy = Math.round(y) - patch.ink.y;
  for (let py = 0; py < patch.height; py++) {
    const cy = oy + py;
    if (cy < 0 || cy >= height) continue;
    for (let px = 0; px < patch.width; px++) {
      const cx = ox + px;
      if (cx < 0 || cx >= width) continue;
      const c = patch.coverage[py * patch.width + px];
      const i = cy * width + cx;
      if (c > canvas[i]) canvas[i] = c;
    }
  }
  const bx0 = Math.max(0, ox + patch.ink.x),
    by0 = Math.max(0, oy + patch.ink.y);
  const bx1 = Math.min(width - 1, ox + patch.ink.x + patch.ink.width - 1);
  const by1 = Math.min(height - 1, oy + patch.ink.y + patch.ink.height - 1);
  return { x: bx0, y: by0, width: bx1 - bx0 + 1, height: by1 - by0 + 1 };
}

/** Index of a uniformly drawn MNIST digit (the set's own order says nothing of the benchmark's order). */
export function drawDigit(mnist: IdxDataset, rand: () => number): number {
  return Math.floor(rand() * mnist.count);
}
