/**
 * How noisy a background-removed picture is, and which side of the background its ink lies on. Each comes
 * two ways: per pixel from the residuals (the general path), and for an even picture from its 256-bin level
 * histogram, which gives exactly the same answers for a fraction of the work on small pictures.
 */
import { histMedian, noiseMargin } from './stats.js';

/**
 * The histogram of {@link residualNoise}, kept between pictures and left all zero after each: allocating and
 * clearing all its bins per picture is a fixed cost as large as the rest of a small picture's ink finding.
 */
const NOISE_HIST = new Uint32Array(4 * 511);
/** Deviation histogram of {@link levelNoise}. */
const LEVEL_DEV = new Uint32Array(256);
/** Pictures with more pixels than this have their noise measured on every other pixel of every other row. */
export const NOISE_SUBSAMPLE_ABOVE = 65536;

/**
 * Noise margin of the background-removed picture, measured over all of it (strokes are a minority of
 * pixels), on a subsample for large pictures.
 */
export function residualNoise(residual: Float32Array, w: number, h: number): number {
  // Quarter-level bins: blurred, compressed photos have sub-level noise that whole levels would call zero,
  // while a clean picture's residuals are whole numbers and keep a spread of exactly zero.
  const hist = NOISE_HIST;
  const step = w * h > NOISE_SUBSAMPLE_ABOVE ? 2 : 1;
  let total = 0,
    lo = hist.length - 1,
    hi = 0;
  for (let y = 0; y < h; y += step) {
    const row = y * w;
    for (let x = 0; x < w; x += step) {
      let r = Math.round(4 * residual[row + x]) + 4 * 255;
      r = r < 0 ? 0 : r >= hist.length ? hist.length - 1 : r;
      hist[r]++;
      if (r < lo) lo = r;
      if (r > hi) hi = r;
      total++;
    }
  }
  return quarterBinNoise(lo, hi, total);
}

/**
 * {@link residualNoise} of an even picture of at most NOISE_SUBSAMPLE_ABOVE pixels whose level histogram is
 * `levels`. Its residuals are whole levels less one background level, so they fill every fourth quarter-level
 * bin: the median and the median deviation found on the 256 levels are those of the bins divided by four, and
 * the background level drops out.
 */
export function levelNoise(levels: Uint32Array, total: number): number {
  let acc = 0,
    centre = 0;
  for (let v = 0; v < 256; v++) {
    acc += levels[v];
    if (acc * 2 >= total) {
      centre = v;
      break;
    }
  }
  const dev = LEVEL_DEV;
  dev.fill(0);
  for (let v = 0; v < 256; v++) {
    const c = levels[v];
    if (c !== 0) dev[Math.abs(v - centre)] += c;
  }
  // the very expressions of noiseMargin and residualNoise, on the deviation in quarter levels
  const margin = Math.ceil(3 * 1.4826 * (4 * histMedian(dev, total)));
  return Math.ceil(margin / 4);
}

/** The noise margin (whole levels) of the quarter-level histogram in NOISE_HIST, filled in lo..hi; clears it. */
function quarterBinNoise(lo: number, hi: number, total: number): number {
  const hist = NOISE_HIST;
  let acc = 0,
    centre = 4 * 255;
  for (let v = lo; v <= hi; v++) {
    acc += hist[v];
    if (acc * 2 >= total) {
      centre = v;
      break;
    }
  }
  const margin = noiseMargin(hist, centre, lo, hi);
  hist.fill(0, lo, hi + 1);
  return Math.ceil(margin / 4);
}

/**
 * {@link inkIsDark} from the level histogram of an even picture with background `bg`: the sums are of whole
 * numbers, so adding them per level instead of per pixel gives exactly the same totals.
 */
export function levelsInkIsDark(levels: Uint32Array, bg: number, noise: number): boolean {
  let above = 0,
    below = 0;
  for (let v = 0; v < 256; v++) {
    const c = levels[v];
    if (c === 0) continue;
    const d = v - bg;
    if (d > noise) above += c * (d - noise);
    else if (d < -noise) below += c * (-d - noise);
  }
  return below > above;
}

/**
 * Ink is whichever side of the background carries more mass: dark strokes on paper pull pixels below the
 * background level, MNIST's white strokes on black push them above. Ties (e.g. a uniform picture) count as light ink.
 */
export function inkIsDark(residual: Float32Array, noise: number): boolean {
  let above = 0,
    below = 0;
  for (let i = 0; i < residual.length; i++) {
    const d = residual[i];
    if (d > noise) above += d - noise;
    else if (d < -noise) below += -d - noise;
  }
  return below > above;
}
