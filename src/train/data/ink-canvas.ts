/**
 * A float canvas of ink (0..1, ink high) on which training pictures are composed from MNIST digits and pen
 * strokes, then fitted as a grey picture by the readers' own `fitToContract` (fit-picture.ts), so they reach
 * the model as the readers' crops do.
 */
import type { GrayImage } from '../../runtime/ink/image.js';
import { paintStrokes, type Stroke } from './operator-strokes.js';

/** A width x height canvas of ink values, row-major. */
export interface InkCanvas {
  width: number;
  height: number;
  ink: Float32Array;
}

/** A blank canvas. */
export function blankCanvas(width: number, height: number): InkCanvas {
  return { width, height, ink: new Float32Array(width * height) };
}

/**
 * Paste a `rows` x `cols` picture onto the canvas with its top-left corner at (`ox`, `oy`), stretched by
 * `sx` and `sy` (bilinear), each pixel keeping the stronger ink. `keep(x, y)` (source columns and rows) may
 * leave parts of the picture out.
 */
export function pastePicture(
  c: InkCanvas,
  src: Float32Array,
  rows: number,
  cols: number,
  ox: number,
  oy: number,
  sx = 1,
  sy = 1,
  keep?: (x: number, y: number) => boolean,
): void {
  const x0 = Math.max(0, Math.floor(ox)),
    x1 = Math.min(c.width - 1, Math.ceil(ox + cols * sx));
  const y0 = Math.max(0, Math.floor(oy)),
    y1 = Math.min(c.height - 1, Math.ceil(oy + rows * sy));
  for (let y = y0; y <= y1; y++) {
    const fy = (y + 0.5 - oy) / sy - 0.5;
    const r0 = Math.floor(fy),
      ty = fy - r0;
    for (let x = x0; x <= x1; x++) {
      const fx = (x + 0.5 - ox) / sx - 0.5;
      const q0 = Math.floor(fx),
        tx = fx - q0;
      if (keep && !keep(Math.round(fx), Math.round(fy))) continue;
      const at = (r: number, q: number): number => (r < 0 || r >= rows || q < 0 || q >= cols ? 0 : src[r * cols + q]);
      const v =
        (at(r0, q0) * (1 - tx) + at(r0, q0 + 1) * tx) * (1 - ty) +
        (at(r0 + 1, q0) * (1 - tx) + at(r0 + 1, q0 + 1) * tx) * ty;
      const k = y * c.width + x;
      if (v > c.ink[k]) c.ink[k] = v;
    }
  }
}

/** Paint pen strokes given in canvas pixels. */
export function drawStrokes(c: InkCanvas, strokes: Stroke[]): void {
  paintStrokes(c.ink, c.width, c.height, strokes);
}

/** The canvas as a grey picture (ink 255 on 0). */
export function canvasPicture(c: InkCanvas): GrayImage {
  const data = new Uint8Array(c.ink.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(255 * Math.min(1, Math.max(0, c.ink[i])));
  return { width: c.width, height: c.height, data };
}
