/**
 * How many horizontal strokes lie stacked in a character's ink: 2 for an `=`, 1 for a `-`. Fitted into
 * the network's 20x20 box, an `=` written with its bars close together (or touching at one end) becomes one
 * thick bar; at the picture's own resolution the rows between the bars still hold far less ink than the
 * bars themselves.
 */
import type { InkCrop } from '../ink/fit.js';
import { BARS } from '../reader-thresholds.js';

/** How a character's ink lies in rows: what tells `=` and `÷` from `-` once the crop is fitted. */
export interface RowShape {
  /** Horizontal strokes stacked: runs of ink-heavy rows separated by a nearly empty row. */
  bars: number;
  /**
   * Marks stacked: runs of rows holding any ink, separated by rows holding none (a `÷`'s dot and bar); besides
   * the heaviest, only those over the middle of the crop's width.
   */
  marks: number;
}

/**
 * {@link stackedBars} and the marks stacked in `crop`. A mark besides the heaviest counts only over the
 * middle of the crop's width (a `÷`'s dot over its bar); ink at a side is a piece of a neighbour that a cut
 * left with the sign.
 */
export function rowShape(crop: InkCrop): RowShape {
  const { width, height } = crop.box;
  const rows = new Float64Array(height);
  const found: { mass: number; middle: number }[] = [];
  let inMark = false;
  for (let y = 0; y < height; y++) {
    let mass = 0,
      moment = 0;
    for (let x = 0; x < width; x++) {
      const v = crop.data[y * width + x];
      mass += v;
      moment += v * x;
    }
    rows[y] = mass;
    if (mass > 0) {
      if (!inMark) found.push({ mass: 0, middle: 0 });
      const m = found[found.length - 1];
      m.middle = (m.middle * m.mass + moment) / (m.mass + mass);
      m.mass += mass;
    }
    inMark = mass > 0;
  }
  let heaviest = 0;
  for (const m of found) heaviest = Math.max(heaviest, m.mass);
  const centred = (m: { middle: number }) =>
    m.middle >= BARS.markSide * (width - 1) && m.middle <= (1 - BARS.markSide) * (width - 1);
  const marks = found.filter((m) => m.mass === heaviest || centred(m)).length;
  return { bars: barsInRows(rows), marks };
}

/**
 * Bars stacked in `crop`: runs of ink-heavy rows separated by a nearly empty row.
 * @returns 0 for a crop without ink, else the count of such runs.
 */
export function stackedBars(crop: InkCrop): number {
  const { width, height } = crop.box;
  const rows = new Float64Array(height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) rows[y] += crop.data[y * width + x];
  return barsInRows(rows);
}

/** {@link stackedBars}, from the ink of each row. */
function barsInRows(rows: Float64Array): number {
  let most = 0;
  for (const s of rows) if (s > most) most = s;
  if (most <= 0) return 0;
  let bars = 0,
    inBar = false,
    gapSeen = true;
  for (const s of rows) {
    const r = s / most;
    if (r >= BARS.barRow && !inBar) {
      if (gapSeen) bars++;
      inBar = true;
      gapSeen = false;
    } else if (r < BARS.barRow) {
      inBar = false;
      if (r <= BARS.gapRow) gapSeen = true;
    }
  }
  return bars;
}
