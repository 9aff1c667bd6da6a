/**
 * The rule finder's candidate lines: in strips of the picture, rows (or columns) filled from one side of the
 * strip to the other, chained strip after strip along one straight course, then followed pixel by pixel with
 * the extent of ink across the course at each position. Whether a candidate is a line of the sheet is
 * judged in rules.ts.
 *
 * Shared code: no Node and no DOM imports.
 */
import {
  STRIP,
  FILL,
  MIN_STRIPS,
  MIN_LENGTH,
  STEP,
  GAP_STRIPS,
  SLENDER,
  COVERED,
  OWN_RUNS,
  STRAIGHT,
} from './rule-thresholds.js';

/** A candidate line along one axis: its centre per position along it, and the extent of ink across it there. */
export interface Candidate {
  horizontal: boolean;
  /** First and last position along the line. */
  a0: number;
  a1: number;
  /** Centre across the line at each position a0..a1. */
  centre: Float32Array;
  /** Ink run across the line at each position (inclusive), or -1 where there is none. */
  lo: Int32Array;
  hi: Int32Array;
  thickness: number;
}

/** A candidate's length along its course (px). */
export const lineLength = (c: Candidate): number => c.a1 - c.a0 + 1;

/** True when a candidate is at least SLENDER times longer than thick, as the strokes of writing rarely are. */
export const slender = (c: Candidate): boolean => lineLength(c) >= SLENDER * c.thickness;

/** Where a candidate lies across its course, at its middle (px). */
export const middleAcross = (c: Candidate): number => c.centre[c.centre.length >> 1] - 0.5;

/** True when position `i` of a candidate holds the line alone: ink no thicker than the line, nothing crossing. */
export const pureAt = (c: Candidate, i: number): boolean => c.lo[i] >= 0 && c.hi[i] - c.lo[i] + 1 <= c.thickness + 2;

/** Index of the pixel at `a` along and `c` across a line of the given orientation. */
export function at(horizontal: boolean, width: number, a: number, c: number): number {
  return horizontal ? c * width + a : a * width + c;
}

/** Candidate lines along one axis: chains of strips whose rows are filled, refined to pixels. */
export function candidates(
  mask: Uint8Array,
  width: number,
  height: number,
  horizontal: boolean,
  lineInk: Int32Array,
  thickest: number,
): Candidate[] {
  const along = horizontal ? width : height,
    across = horizontal ? height : width;
  const strips = Math.floor(along / STRIP);
  if (strips < MIN_STRIPS) return [];
  const need = Math.ceil(FILL * STRIP);
  // filled[k * across + c]: positions of strip k where row c or c+1 holds ink
  const filled = new Uint16Array(strips * across);
  for (let c = 0; c < across; c++) {
    const next = c + 1 < across ? c + 1 : c;
    if (lineInk[c] + lineInk[next] < need * MIN_STRIPS) continue;
    const i0 = at(horizontal, width, 0, c),
      step = horizontal ? 1 : width,
      beside = at(horizontal, width, 0, next) - i0;
    for (let k = 0; k < strips; k++) {
      let count = 0;
      for (let a = k * STRIP, i = i0 + a * step; a < (k + 1) * STRIP; a++, i += step)
        count += mask[i] | mask[i + beside];
      filled[k * across + c] = count;
    }
  }
  // per strip, the centres of runs of filled rows no thicker than a line
  const centres: number[][] = [];
  for (let k = 0; k < strips; k++) {
    const list: number[] = [];
    let start = -1;
    for (let c = 0; c <= across; c++) {
      const full = c < across && filled[k * across + c] >= need;
      if (full && start < 0) start = c;
      if (!full && start >= 0) {
        if (c - start <= thickest) list.push((start + c) / 2);
        start = -1;
      }
    }
    centres.push(list);
  }
  // chain strips whose centres follow one course
  const used = centres.map((l) => new Uint8Array(l.length));
  const out: Candidate[] = [];
  for (let k = 0; k < strips; k++) {
    for (let j = 0; j < centres[k].length; j++) {
      if (used[k][j]) continue;
      used[k][j] = 1;
      const chain: [number, number][] = [[k, centres[k][j]]];
      let last = centres[k][j],
        lastK = k;
      for (let q = k + 1; q < strips && q - lastK <= GAP_STRIPS + 1; q++) {
        const step = STEP * (q - lastK);
        let best = -1;
        for (let i = 0; i < centres[q].length; i++) {
          const d = Math.abs(centres[q][i] - last);
          if (!used[q][i] && d <= step && (best < 0 || d < Math.abs(centres[q][best] - last))) best = i;
        }
        if (best < 0) continue;
        used[q][best] = 1;
        last = centres[q][best];
        lastK = q;
        chain.push([q, last]);
      }
      if (chain.length >= MIN_STRIPS && !out.some((o) => follows(o, chain))) {
        const c = refine(mask, width, height, horizontal, chain, thickest);
        if (c) out.push(c);
      }
    }
  }
  return out;
}

/** True when candidate `c` already runs through the strips of `chain` (one line found twice). */
function follows(c: Candidate, chain: [number, number][]): boolean {
  return chain.every(([k, centre]) => {
    const a = k * STRIP + STRIP / 2;
    return a >= c.a0 && a <= c.a1 && Math.abs(c.centre[Math.round(a) - c.a0] - 0.5 - centre) <= STEP;
  });
}

/** The course of a chain of strips followed pixel by pixel, extended past its end strips while ink goes on. */
function refine(
  mask: Uint8Array,
  width: number,
  height: number,
  horizontal: boolean,
  chain: [number, number][],
  thickest: number,
): Candidate | null {
  const along = horizontal ? width : height,
    across = horizontal ? height : width;
  const points = chain.map(([k, c]) => [k * STRIP + STRIP / 2, c + 0.5] as const);
  const slopeAt = (i: number, j: number) => (points[j][1] - points[i][1]) / (points[j][0] - points[i][0]);
  const startSlope = slopeAt(0, Math.min(points.length - 1, 2)),
    endSlope = slopeAt(Math.max(0, points.length - 3), points.length - 1);
  const centreAt = (a: number): number => {
    if (a <= points[0][0]) return points[0][1] + (a - points[0][0]) * startSlope;
    const last = points[points.length - 1];
    if (a >= last[0]) return last[1] + (a - last[0]) * endSlope;
    let i = 0;
    while (points[i + 1][0] < a) i++;
    const t = (a - points[i][0]) / (points[i + 1][0] - points[i][0]);
    return points[i][1] + t * (points[i + 1][1] - points[i][1]);
  };
  const runAt = (a: number): [number, number] | null => {
    const c = Math.round(centreAt(a) - 0.5);
    let seed = -1;
    for (const d of [0, -1, 1])
      if (c + d >= 0 && c + d < across && mask[at(horizontal, width, a, c + d)]) {
        seed = c + d;
        break;
      }
    if (seed < 0) return null;
    let lo = seed,
      hi = seed;
    while (lo > 0 && mask[at(horizontal, width, a, lo - 1)]) lo--;
    while (hi < across - 1 && mask[at(horizontal, width, a, hi + 1)]) hi++;
    return [lo, hi];
  };
  // extend outwards from the chain's strips while the course carries ink (a one-pixel hole is passed over)
  let a0 = chain[0][0] * STRIP,
    a1 = (chain[chain.length - 1][0] + 1) * STRIP - 1;
  for (let miss = 0; a0 > 0 && miss < 2;) {
    if (runAt(a0 - 1)) {
      a0--;
      miss = 0;
    } else if (runAt(a0 - 2)) a0 -= 2;
    else miss = 2;
  }
  for (let miss = 0; a1 < along - 1 && miss < 2;) {
    if (runAt(a1 + 1)) {
      a1++;
      miss = 0;
    } else if (a1 + 2 < along && runAt(a1 + 2)) a1 += 2;
    else miss = 2;
  }
  const len = a1 - a0 + 1;
  const centre = new Float32Array(len),
    lo = new Int32Array(len).fill(-1),
    hi = new Int32Array(len).fill(-1);
  const runs: number[] = [];
  for (let a = a0; a <= a1; a++) {
    centre[a - a0] = centreAt(a);
    const r = runAt(a);
    if (r) {
      lo[a - a0] = r[0];
      hi[a - a0] = r[1];
      runs.push(r[1] - r[0] + 1);
    }
  }
  if (len < MIN_LENGTH || runs.length < COVERED * len) return null;
  // where strokes cross or run along the line its runs are longer: its own thickness is among the thinnest
  runs.sort((x, y) => x - y);
  const thickness = runs[Math.floor(OWN_RUNS * runs.length)];
  if (thickness > thickest) return null;
  if (!isStraight(a0, lo, hi, thickness)) return null;
  return { horizontal, a0, a1, centre, lo, hi, thickness };
}

/**
 * True when the middles of the line's own runs (where no stroke crosses it) lie on a straight line, within
 * STRAIGHT of its length (root mean square): a ruler's line or a quick underline, not the top of a 0 running
 * into the bar of a 7.
 */
function isStraight(a0: number, lo: Int32Array, hi: Int32Array, thickness: number): boolean {
  let n = 0,
    sa = 0,
    sm = 0,
    saa = 0,
    sam = 0;
  for (let i = 0; i < lo.length; i++) {
    if (lo[i] < 0 || hi[i] - lo[i] + 1 > thickness + 1) continue;
    const a = a0 + i,
      m = (lo[i] + hi[i]) / 2;
    n++;
    sa += a;
    sm += m;
    saa += a * a;
    sam += a * m;
  }
  if (n < 2) return false;
  const d = n * saa - sa * sa;
  const slope = d > 0 ? (n * sam - sa * sm) / d : 0,
    icpt = (sm - slope * sa) / n;
  let sq = 0;
  for (let i = 0; i < lo.length; i++) {
    if (lo[i] < 0 || hi[i] - lo[i] + 1 > thickness + 1) continue;
    const r = (lo[i] + hi[i]) / 2 - (icpt + slope * (a0 + i));
    sq += r * r;
  }
  return Math.sqrt(sq / n) <= Math.max(1, STRAIGHT * lo.length);
}

/** The pixels across position `a` of a line that belong to the line itself: its band, one pixel of rim each side. */
export function band(c: Candidate, a: number): [number, number] {
  const i = a - c.a0;
  if (pureAt(c, i)) return [c.lo[i], c.hi[i]];
  const mid = c.centre[i] - 0.5;
  return [Math.round(mid - c.thickness / 2), Math.round(mid + c.thickness / 2)];
}
