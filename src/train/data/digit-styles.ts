/**
 * MNIST digits in styles MNIST itself lacks, made from its training digits: elastic deformation (Simard et
 * al. 2003), a wider or narrower pen, stretched and condensed widths, and the strokes other writers add: a
 * `1` with a flag and a base, a crossed `7`. Each picture is composed on a canvas and fitted to its ink by the
 * readers' own `fitToContract` (fit-picture.ts), so it reaches the model as a reader's crop does.
 */
import type { InputContract } from '../../runtime/contract.js';
import { fitCleanPicture } from './fit-picture.js';
import { inkBox } from './ink-box.js';
import { blankCanvas, canvasPicture, drawStrokes, pastePicture, type InkCanvas } from './ink-canvas.js';
import { gaussian, penStroke, type Pen } from './operator-strokes.js';

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();
const DEG = Math.PI / 180;

/** Side of the canvas a styled digit is composed on: room for a stretched digit and a 1's base. */
const CANVAS = 48;

/** Blur a field in place with a separable Gaussian of `sigma` pixels (edges clamped). */
function blur(f: Float32Array, rows: number, cols: number, sigma: number): void {
  const r = Math.ceil(2.5 * sigma);
  const k = Float32Array.from({ length: 2 * r + 1 }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const sum = k.reduce((a, b) => a + b, 0);
  const tmp = new Float32Array(f.length);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * f[y * cols + Math.min(cols - 1, Math.max(0, x + i))];
      tmp[y * cols + x] = s / sum;
    }
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let s = 0;
      for (let i = -r; i <= r; i++) s += k[i + r] * tmp[Math.min(rows - 1, Math.max(0, y + i)) * cols + x];
      f[y * cols + x] = s / sum;
    }
}

/**
 * Elastic deformation: each pixel is displaced by a smooth random field whose typical size is `amplitude`
 * pixels, so strokes bend and bulge the way different hands draw them.
 */
export function elastic(
  src: Float32Array,
  rows: number,
  cols: number,
  rand: () => number,
  amplitude: number,
): Float32Array {
  const dx = Float32Array.from({ length: rows * cols }, () => rand() * 2 - 1);
  const dy = Float32Array.from({ length: rows * cols }, () => rand() * 2 - 1);
  blur(dx, rows, cols, 4);
  blur(dy, rows, cols, 4);
  let rms = 0;
  for (let i = 0; i < dx.length; i++) rms += dx[i] * dx[i] + dy[i] * dy[i];
  const scale = amplitude / Math.sqrt(Math.max(1e-12, rms / dx.length));
  const out = new Float32Array(rows * cols);
  const at = (r: number, q: number): number => (r < 0 || r >= rows || q < 0 || q >= cols ? 0 : src[r * cols + q]);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      const sx = x + dx[y * cols + x] * scale,
        sy = y + dy[y * cols + x] * scale;
      const x0 = Math.floor(sx),
        y0 = Math.floor(sy);
      const fx = sx - x0,
        fy = sy - y0;
      out[y * cols + x] =
        (at(y0, x0) * (1 - fx) + at(y0, x0 + 1) * fx) * (1 - fy) +
        (at(y0 + 1, x0) * (1 - fx) + at(y0 + 1, x0 + 1) * fx) * fy;
    }
  return out;
}

/**
 * A wider (`amount` > 0) or narrower (< 0) pen: a grey dilation or erosion over the 3x3 neighbourhood,
 * taken `|amount|` of the way (0..1).
 */
export function penWidth(src: Float32Array, rows: number, cols: number, amount: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let y = 0; y < rows; y++)
    for (let x = 0; x < cols; x++) {
      let lo = Infinity,
        hi = -Infinity;
      for (let j = -1; j <= 1; j++)
        for (let i = -1; i <= 1; i++) {
          const yy = y + j,
            xx = x + i;
          const v = yy < 0 || yy >= rows || xx < 0 || xx >= cols ? 0 : src[yy * cols + xx];
          if (v < lo) lo = v;
          if (v > hi) hi = v;
        }
      const v = src[y * cols + x];
      out[y * cols + x] = amount >= 0 ? v + amount * (hi - v) : v + amount * (v - lo);
    }
  return out;
}

/** Mean column of the ink in canvas rows y0..y1, or NaN when none. */
function inkColumn(c: InkCanvas, y0: number, y1: number): number {
  let s = 0,
    m = 0;
  for (let y = Math.max(0, y0); y <= Math.min(c.height - 1, y1); y++)
    for (let x = 0; x < c.width; x++) {
      const v = c.ink[y * c.width + x];
      if (v > 0.3) {
        s += v * x;
        m += v;
      }
    }
  return m > 0 ? s / m : NaN;
}

/** The strokes writers outside MNIST add to a digit: a 1's flag and base, a 7's bar. */
function addStrokes(c: InkCanvas, digit: number, rand: () => number): void {
  if (digit !== 1 && digit !== 7) return;
  const b = inkBox(c.ink, c.height, c.width, 0.3);
  if (!b) return;
  const h = b.y1 - b.y0 + 1;
  // A pen about as wide as the digit's own strokes: its ink spread over its height, for a 1.
  const pen: Pen = {
    width: Math.min(4, Math.max(1.5, b.mass / (h * (digit === 1 ? 1 : 2.2)))),
    pressure: uniform(rand, 0.8, 1),
  };
  const strokes = [];
  if (digit === 1) {
    const xt = inkColumn(c, b.y0, b.y0 + 1),
      xb = inkColumn(c, b.y1 - 1, b.y1);
    if (rand() < 0.55 && Number.isFinite(xt)) {
      const len = h * uniform(rand, 0.2, 0.4),
        a = uniform(rand, 20, 60) * DEG;
      strokes.push(penStroke(rand, pen, xt, b.y0 + 0.5, xt - len * Math.cos(a), b.y0 + len * Math.sin(a), 0.1));
    }
    if (rand() < 0.35 && Number.isFinite(xb)) {
      const l = h * uniform(rand, 0.12, 0.3),
        r = h * uniform(rand, 0.12, 0.3),
        t = uniform(rand, -4, 4) * DEG;
      strokes.push(penStroke(rand, pen, xb - l, b.y1 - l * Math.tan(t), xb + r, b.y1 + r * Math.tan(t), 0.04));
    }
  } else if (rand() < 0.4) {
    const y = Math.round(b.y0 + h * uniform(rand, 0.42, 0.6));
    const xc = inkColumn(c, y - 1, y + 1);
    if (Number.isFinite(xc)) {
      const len = h * uniform(rand, 0.25, 0.45),
        t = uniform(rand, -10, 10) * DEG,
        at = uniform(rand, 0.4, 0.6);
      strokes.push(
        penStroke(
          rand,
          pen,
          xc - len * at,
          y - len * at * Math.tan(t),
          xc + len * (1 - at),
          y + len * (1 - at) * Math.tan(t),
          0.05,
        ),
      );
    }
  }
  drawStrokes(c, strokes);
}

/**
 * One MNIST digit (`rows` x `cols`, ink high in [0, 1]) redrawn in a random style, as model input; null when
 * the style left no ink to fit.
 */
export function styledDigit(
  src: Float32Array,
  rows: number,
  cols: number,
  digit: number,
  rand: () => number,
  contract: InputContract,
): Float32Array | null {
  let pic = src;
  if (rand() < 0.6) pic = elastic(pic, rows, cols, rand, uniform(rand, 0.8, 2.2));
  const pen = rand();
  if (pen < 0.2) pic = penWidth(pic, rows, cols, uniform(rand, 0.3, 1));
  else if (pen < 0.4) pic = penWidth(pic, rows, cols, -uniform(rand, 0.2, 0.6));
  // Stretched or condensed by up to 30%, as writers differ in how wide they make a digit.
  const sx = rand() < 0.5 ? 1 + gaussian(rand) * 0.15 : 1;
  const wide = Math.min(1.3, Math.max(0.7, sx));
  const tall = uniform(rand, 0.92, 1.08);
  const c = blankCanvas(CANVAS, CANVAS);
  pastePicture(c, pic, rows, cols, (CANVAS - cols * wide) / 2, (CANVAS - rows * tall) / 2, wide, tall);
  addStrokes(c, digit, rand);
  return fitCleanPicture(canvasPicture(c), contract);
}
