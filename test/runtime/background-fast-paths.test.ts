// The background grid's fast paths against the plain loops they stand in for (kept here as the reference):
// the block quantiles walked over each block's own range of levels, and the grid subtracted run by run.
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { backgroundGrid, subtractGrid, type BackgroundGrid } from '../../src/runtime/ink/background.js';
import type { GrayImage } from '../../src/runtime/ink/image.js';
import { noiseMargin } from '../../src/runtime/ink/stats.js';
import { decodePicture, readPictureFile } from '../../src/runtime/node/images.js';
import { seededRandom } from '../../src/train/data/rng.js';
import {
  BLOCKS_ALONG_LONG_SIDE,
  MIN_BLOCK,
  MIN_SIDE_FOR_LOCAL,
  PAPER_QUANTILE,
} from '../../src/runtime/ink/ink-thresholds.js';

// ---- The reference: background.ts's grid and subtraction as they were before their fast paths, verbatim (its
// thresholds shared, so a retune moves both). ----

/**
 * A smooth local background of `img`, or null when the picture is too small for one. Block statistics
 * are taken on every other pixel of every other row (plenty for quantiles, a quarter of the reads). The
 * paper level of a block is its quantile on the side away from the ink, less that quantile's usual
 * distance from the median (the noise's share), closed over 3x3 blocks so blocks that strokes fill do
 * not count.
 */
function referenceGrid(img: GrayImage): BackgroundGrid | null {
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
      let n = 0;
      for (let y = y0; y < y1; y += 2) {
        const row = y * w;
        for (let x = x0; x < x1; x += 2) {
          hist[data[row + x]]++;
          n++;
        }
      }
      const q0 = (1 - PAPER_QUANTILE) * n,
        q1 = 0.5 * n,
        q2 = PAPER_QUANTILE * n;
      let acc = 0,
        a0 = -1,
        a1 = -1,
        a2 = 255;
      for (let v = 0; v < 256; v++) {
        const c = hist[v];
        if (c === 0) continue;
        all[v] += c;
        hist[v] = 0;
        acc += c;
        if (a0 < 0 && acc >= q0) a0 = v;
        if (a1 < 0 && acc >= q1) a1 = v;
        if (acc >= q2) {
          a2 = v;
          for (let u = v + 1; u < 256; u++) {
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

/**
 * `out[i] = data[i] - background(i)`, the background bilinear between block centres (held flat beyond
 * the outer centres).
 */
function referenceSubtract(img: GrayImage, grid: BackgroundGrid, out: Float32Array): void {
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
      for (let x = 0; x < w; x++) {
        const i0 = xi[x];
        const l0 = line[i0];
        out[row + x] = data[row + x] - (l0 + (line[i0 + 1] - l0) * xf[x]);
      }
    } else {
      const l0 = line[0];
      for (let x = 0; x < w; x++) out[row + x] = data[row + x] - l0;
    }
  }
}

// ---- end of the reference ----

/** Pictures with uneven light, flat paper, noise, ink of both polarities and odd sizes. */
function pictures(count: number, seed: number): GrayImage[] {
  const rnd = seededRandom(seed);
  const out: GrayImage[] = [];
  for (let k = 0; k < count; k++) {
    const width = 64 + Math.floor(rnd() * 700),
      height = 64 + Math.floor(rnd() * 500);
    const data = new Uint8Array(width * height);
    const bg = 30 + rnd() * 200,
      gx = ((rnd() - 0.5) * 80) / width,
      gy = ((rnd() - 0.5) * 80) / height;
    const noise = [0, 2, 8, 40][k % 4],
      ink = rnd() < 0.5 ? -1 : 1;
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        let v = bg + gx * x + gy * y + (rnd() - 0.5) * 2 * noise;
        if ((x * 7 + y * 3) % 97 < 6 && y % 50 < 30) v += ink * 120;
        data[y * width + x] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
    out.push({ width, height, data });
  }
  out.push({ width: 64, height: 64, data: new Uint8Array(64 * 64).fill(0) });
  out.push({ width: 100, height: 64, data: new Uint8Array(100 * 64).fill(255) });
  out.push({ width: 64, height: 900, data: Uint8Array.from({ length: 64 * 900 }, (_, i) => (i * 2654435761) >>> 24) });
  return out;
}

async function photos(): Promise<GrayImage[]> {
  const dir = 'examples';
  const out: GrayImage[] = [];
  for (const name of readdirSync(dir).sort()) {
    if (!/\.(jpe?g|png)$/i.test(name)) continue;
    out.push(await decodePicture(readPictureFile(path.join(dir, name))));
  }
  return out;
}

test('the background grid and its subtraction equal the plain loops, bit for bit', async () => {
  for (const img of [...pictures(60, 11), ...pictures(40, 5), ...(await photos())]) {
    const label = `${img.width}x${img.height}`;
    const grid = backgroundGrid(img);
    const ref = referenceGrid(img);
    assert.equal(grid === null, ref === null, label);
    if (!grid || !ref) continue;
    assert.deepEqual({ ...grid, values: null }, { ...ref, values: null }, label);
    assert.ok(Buffer.from(grid.values.buffer).equals(Buffer.from(ref.values.buffer)), `${label}: grid values`);
    const fast = new Float32Array(img.width * img.height).fill(Number.NaN);
    const slow = new Float32Array(img.width * img.height).fill(Number.NaN);
    subtractGrid(img, grid, fast);
    referenceSubtract(img, grid, slow);
    assert.ok(Buffer.from(fast.buffer).equals(Buffer.from(slow.buffer)), `${label}: subtraction`);
    // and on grids of other widths (one and two cells included) with levels that are not whole numbers
    const rnd = seededRandom(img.width * 7919 + img.height);
    for (const cols of [1, 2, 3, grid.cols]) {
      const g: BackgroundGrid = {
        ...grid,
        cols,
        rows: 2,
        block: Math.ceil(img.width / cols),
        values: Float32Array.from({ length: cols * 2 }, () => 255 * rnd()),
      };
      subtractGrid(img, g, fast);
      referenceSubtract(img, g, slow);
      assert.ok(Buffer.from(fast.buffer).equals(Buffer.from(slow.buffer)), `${label}: ${cols} columns`);
    }
  }
});
