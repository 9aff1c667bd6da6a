// Handwritten digits written one after another on a line: natural gaps, a little wobble in size, slant and
// baseline, and now and then two digits written so close their ink touches.
import type { IdxDataset } from '../../src/data/idx.js';
import { INK_THRESHOLD, paste, renderDigit, sourceInkBox, type InkPatch } from './ink.js';
import type { Box } from './types.js';
import type { Rand } from './seed.js';

/** Digits laid out on a line; positions are of each ink box's top-left, relative to the line's own box. */
export interface Line {
  patches: InkPatch[];
  positions: { x: number; y: number }[];
  width: number;
  height: number;
}

/** How a line is written. */
export interface LineStyle {
  /** Ink height of a typical digit in pixels. */
  digitHeight: number;
  /** Slope of the whole line in radians (positive runs down to the right). */
  tilt: number;
  /** Each digit's own turn is drawn within +-wobble radians around the line's tilt. */
  wobble: number;
  /** Index in `digits` of the digit that touches its right neighbour, or -1. */
  touching: number;
}

// MNIST scales each digit to fit a 20-pixel box inside its 28-pixel field, so 20 source pixels are a
// digit's ink height.
const MNIST_INK = 20;

/**
 * Lay out MNIST test digits `digits` left to right. Gaps between ink boxes are drawn per line and per gap;
 * the digit at `style.touching` is pulled towards its right neighbour until their inks overlap by a pixel
 * or few.
 */
export function layoutLine(mnist: IdxDataset, digits: number[], style: LineStyle, rand: Rand): Line {
  const h = style.digitHeight;
  const gapBase = rand.uniform(0.12, 0.35) * h;
  const tan = Math.tan(style.tilt);
  const patches: InkPatch[] = [];
  const pos: { x: number; y: number }[] = [];
  let cursor = 0;
  digits.forEach((k, j) => {
    const src = sourceInkBox(mnist, k);
    const scale = (h / Math.max(MNIST_INK, src.height)) * rand.uniform(0.96, 1.04);
    const patch = renderDigit(mnist, k, scale, style.tilt + rand.uniform(-style.wobble, style.wobble));
    const centreY = (cursor + patch.ink.width / 2) * tan + rand.uniform(-0.03, 0.03) * h;
    let x = cursor;
    const y = centreY - patch.ink.height / 2;
    if (j > 0 && j - 1 === style.touching) {
      const clearance = inkClearance(patches[j - 1], pos[j - 1], patch, { x, y });
      if (clearance !== null) x -= clearance + Math.max(1, Math.round(rand.uniform(0.01, 0.04) * h));
    }
    patches.push(patch);
    pos.push({ x: Math.round(x), y: Math.round(y) });
    cursor = Math.round(x) + patch.ink.width + gapBase * rand.uniform(0.7, 1.3);
  });
  const minX = Math.min(...pos.map((p) => p.x));
  const minY = Math.min(...pos.map((p) => p.y));
  const maxX = Math.max(...pos.map((p, j) => p.x + patches[j].ink.width));
  const maxY = Math.max(...pos.map((p, j) => p.y + patches[j].ink.height));
  return {
    patches,
    positions: pos.map((p) => ({ x: p.x - minX, y: p.y - minY })),
    width: maxX - minX,
    height: maxY - minY,
  };
}

/** Paste `line` with its box's top-left at (`x`, `y`); returns each digit's ink box in picture pixels. */
export function pasteLine(
  canvas: Float32Array,
  width: number,
  height: number,
  line: Line,
  x: number,
  y: number,
): Box[] {
  return line.patches.map((p, j) => paste(canvas, width, height, p, x + line.positions[j].x, y + line.positions[j].y));
}

/** Per row of a patch (in line coordinates), the leftmost and rightmost ink column. */
function rowSpans(p: InkPatch, at: { x: number; y: number }): Map<number, [number, number]> {
  const spans = new Map<number, [number, number]>();
  const ox = Math.round(at.x) - p.ink.x,
    oy = Math.round(at.y) - p.ink.y;
  for (let py = p.ink.y; py < p.ink.y + p.ink.height; py++) {
    let lo = -1,
      hi = -1;
    for (let px = p.ink.x; px < p.ink.x + p.ink.width; px++) {
      if (p.coverage[py * p.width + px] >= INK_THRESHOLD) {
        if (lo < 0) lo = px;
        hi = px;
      }
    }
    if (lo >= 0) spans.set(oy + py, [ox + lo, ox + hi]);
  }
  return spans;
}

/**
 * Blank columns between the ink of `left` and `right` over the rows both have ink in, or null when they
 * share no row (then they cannot be pushed into touching sideways).
 */
function inkClearance(
  left: InkPatch,
  lAt: { x: number; y: number },
  right: InkPatch,
  rAt: { x: number; y: number },
): number | null {
  const l = rowSpans(left, lAt),
    r = rowSpans(right, rAt);
  let best: number | null = null;
  for (const [row, [lo]] of r) {
    const other = l.get(row);
    if (!other) continue;
    const gap = lo - other[1] - 1;
    if (best === null || gap < best) best = gap;
  }
  return best;
}
