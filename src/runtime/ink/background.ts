/**
 * The paper (or board, or screen) behind the ink: its level along the border, and where the light is
 * uneven (a gradient across the sheet, a shadow, a vignette) a smooth local estimate from a coarse grid
 * of block quantiles on the paper's side of the ink, bilinear between block centres.
 */
import type { GrayImage } from './image.js';
import { histMedian, noiseMargin } from './stats.js';
import { MIN_SIDE_FOR_LOCAL, BLOCKS_ALONG_LONG_SIDE, MIN_BLOCK, PAPER_QUANTILE } from './ink-thresholds.js';

/** Level and noise margin of the picture's border pixels. */
export interface BorderStats {
  median: number;
  noise: number;
}

/** The border histogram, kept between pictures (cleared at the start of each) rather than allocated per picture. */
const BORDER_HIST = new Uint32Array(256);

/** Background level (median of the border pixels) and a noise margin from their spread (3 robust sigmas). */
export function borderStats(img: GrayImage): BorderStats {
  const { width: w, height: h, data } = img;
  const hist = BORDER_HIST;
  hist.fill(0);
  for (let x = 0; x < w; x++) {
    hist[data[x]]++;
    if (h > 1) hist[data[(h - 1) * w + x]]++;
  }
  for (let y = 1; y < h - 1; y++) {
    hist[data[y * w]]++;
    if (w > 1) hist[data[y * w + w - 1]]++;
  }
  const median = histMedian(hist);
  return { median, noise: noiseMargin(hist, median) };
}

/**
 * A coarse background: per `block`-pixel square, the paper level on a `cols` x `rows` grid, and which
 * side of the paper the ink lies on.
 */
export interface BackgroundGrid {
  cols: number;
  rows: number;
  block: number;
  /** Paper level per cell, row-major. */
  values: Float32Array;
  /** True when the ink is darker than the paper. */
  inkDark: boolean;
  /** Typical distance of the paper quantile from the median: the noise's share of it (about 1.6 sigma). */
  spread: number;
}

/**
 * A smooth local background of `img`, or null when the picture is too small for one. Block statistics
 * are taken on every other pixel of every other row (plenty for quantiles, a quarter of the reads). The
 * paper level of a block is its quantile on the side away from the ink, less that quantile's usual
 * distance from the median (the noise's share), closed over 3x3 blocks so blocks that strokes fill do
 * not count.
 */
export function backgroundGrid(img: GrayImage): BackgroundGrid | null {
  const { width: w, height: h, data } = img;
  if (Math.min(w, h) < MIN_SIDE_FOR_LOCAL) return null;
  const block = Math.max(MIN_BLOCK, Math.ceil(Math.max(w, h) / BLOCKS_ALONG_LONG_SIDE));
  const cols = Math.ceil(w / block),
    rows = Math.ceil(h / block);
  const cells = cols * rows;
  const lo = new Float32Array(cells),
    mid = new Float32Array(cells),
    hi = new Float32Array(cells);
  const hist = new Uint32Array(256);
  const all = new Uint32Array(256);
  for (let by = 0; by < rows; by++) {
    const y0 = by * block,
      y1 = Math.min(h, y0 + block);
    for (let bx = 0; bx < cols; bx++) {
      const x0 = bx * block,
        x1 = Math.min(w, x0 + block);
      let n = 0,
        vMin = 255,
        vMax = 0;
      for (let y = y0; y < y1; y += 2) {
        const row = y * w;
        for (let x = x0; x < x1; x += 2) {
          const v = data[row + x];
          hist[v]++;
          n++;
          if (v < vMin) vMin = v;
          if (v > vMax) vMax = v;
        }
      }
      // Only the block's own range of levels is walked (the other bins are empty): a block of paper spans a
      // few dozen levels, and the walk over all 256 was the larger part of the grid's cost.
      const q0 = (1 - PAPER_QUANTILE) * n,
        q1 = 0.5 * n,
        q2 = PAPER_QUANTILE * n;
      let acc = 0,
        a0 = -1,
        a1 = -1,
        a2 = 255;
      for (let v = vMin; v <= vMax; v++) {
        const c = hist[v];
        if (c === 0) continue;
        all[v] += c;
        hist[v] = 0;
        acc += c;
        if (a0 < 0 && acc >= q0) a0 = v;
        if (a1 < 0 && acc >= q1) a1 = v;
        if (acc >= q2) {
          a2 = v;
          for (let u = v + 1; u <= vMax; u++) {
            all[u] += hist[u];
            hist[u] = 0;
          }
          break;
        }
      }
      const c = by * cols + bx;
      lo[c] = a0;
      mid[c] = a1;
      hi[c] = a2;
    }
  }
  const inkDark = darkInk(all, medianOf(mid));
  const side = inkDark ? hi : lo;
  const spread = new Float32Array(cells);
  for (let c = 0; c < cells; c++) spread[c] = Math.abs(side[c] - mid[c]);
  const bias = medianOf(spread);
  const paper = new Float32Array(cells);
  for (let c = 0; c < cells; c++) paper[c] = inkDark ? side[c] - bias : side[c] + bias;
  return { cols, rows, block, values: closeTowardsPaper(paper, cols, rows, inkDark), inkDark, spread: bias };
}

/**
 * Polarity: ink is whichever side of the typical paper level `paper` carries more mass beyond the spread
 * (which includes any gradient). Ties count as light ink, as for even pictures.
 */
function darkInk(hist: Uint32Array, paper: number): boolean {
  const margin = noiseMargin(hist, paper);
  let above = 0,
    below = 0;
  for (let v = 0; v < 256; v++) {
    const d = v - paper;
    if (d > margin) above += (d - margin) * hist[v];
    else if (d < -margin) below += (-d - margin) * hist[v];
  }
  return below > above;
}

/** Median of the values (the lower one for an even count); `values` is not changed. */
function medianOf(values: Float32Array): number {
  const sorted = Float32Array.from(values).sort();
  return sorted.length ? sorted[(sorted.length - 1) >> 1] : 0;
}

/**
 * Morphological closing of the paper levels with a 3x3 square, seen from the ink's side: blocks that
 * strokes fill read as dips towards the ink (up to two blocks wide), which the closing fills from the paper
 * around them, while broad changes of light (gradients, shadows) keep their shape.
 */
function closeTowardsPaper(src: Float32Array, cols: number, rows: number, inkDark: boolean): Float32Array {
  const grown = extreme3x3(src, cols, rows, inkDark);
  return extreme3x3(grown, cols, rows, !inkDark);
}

/** Per cell, the max (or min) of its 3x3 neighbourhood, clipped at the grid's edges. */
function extreme3x3(src: Float32Array, cols: number, rows: number, max: boolean): Float32Array {
  const out = new Float32Array(src.length);
  for (let y = 0; y < rows; y++) {
    for (let x = 0; x < cols; x++) {
      let m = src[y * cols + x];
      for (let yy = Math.max(0, y - 1); yy <= Math.min(rows - 1, y + 1); yy++) {
        for (let xx = Math.max(0, x - 1); xx <= Math.min(cols - 1, x + 1); xx++) {
          const v = src[yy * cols + xx];
          if (max ? v > m : v < m) m = v;
        }
      }
      out[y * cols + x] = m;
    }
  }
  return out;
}

/** True when every cell of the grid is within `tolerance` levels of `level`: the light is even. */
export function isFlat(grid: BackgroundGrid, level: number, tolerance: number): boolean {
  const v = grid.values;
  for (let i = 0; i < v.length; i++) if (Math.abs(v[i] - level) > tolerance) return false;
  return true;
}

/**
 * `out[i] = data[i] - background(i)`, the background bilinear between block centres (held flat beyond
 * the outer centres).
 */
export function subtractGrid(img: GrayImage, grid: BackgroundGrid, out: Float32Array): void {
  const { width: w, height: h, data } = img;
  const { cols, rows, block, values } = grid;
  const xi = new Int32Array(w),
    xf = new Float32Array(w);
  for (let x = 0; x < w; x++) {
    const g = Math.min(cols - 1, Math.max(0, (x + 0.5) / block - 0.5));
    const i0 = Math.min(cols - 2, Math.floor(g));
    xi[x] = Math.max(0, i0);
    xf[x] = cols > 1 ? g - xi[x] : 0;
  }
  // xi never decreases along a row: the columns come in runs sharing their left centre, `runEnd[c]` ending
  // the run of centre c, so a row reads each centre's level and its step to the next once per run.
  const runEnd = new Int32Array(cols);
  for (let x = 0; x < w; x++) runEnd[xi[x]] = x + 1;
  const line = new Float32Array(cols);
  for (let y = 0; y < h; y++) {
    const g = Math.min(rows - 1, Math.max(0, (y + 0.5) / block - 0.5));
    const r0 = rows > 1 ? Math.min(rows - 2, Math.floor(g)) : 0;
    const fy = rows > 1 ? g - r0 : 0;
    const a = r0 * cols,
      b = rows > 1 ? a + cols : a;
    for (let c = 0; c < cols; c++) line[c] = values[a + c] + (values[b + c] - values[a + c]) * fy;
    const row = y * w;
    if (cols > 1) {
      for (let x = 0; x < w;) {
        const i0 = xi[x],
          end = runEnd[i0];
        // the same arithmetic as l0 + (line[i0 + 1] - l0) * xf[x], the step taken once per run
        const l0 = line[i0],
          step = line[i0 + 1] - l0;
        for (; x < end; x++) out[row + x] = data[row + x] - (l0 + step * xf[x]);
      }
    } else {
      const l0 = line[0];
      for (let x = 0; x < w; x++) out[row + x] = data[row + x] - l0;
    }
  }
}
