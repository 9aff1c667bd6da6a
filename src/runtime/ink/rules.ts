/**
 * The lines of a sheet or a form, removed before anything is read: a form field's box, an underline, ruled
 * and squared paper, a margin line. This is classical form processing. A ruled line is a long, thin,
 * straight run of ink: in strips of the picture it fills a row (or a column) from one side of the strip to
 * the other, and strip after strip those rows follow one straight course. Such a run is a line of the sheet
 * only when it is long beside the characters written on it (their height, measured with the candidate lines
 * taken out), so a `1`, a `7`'s bar or a long minus sign stays writing. Its pixels are then cleared, except
 * where a stroke crosses it (ink goes on beyond the line on both sides): there the stroke keeps its pixels,
 * so the character stays whole.
 *
 * Shared code: no Node and no DOM imports.
 */
import { labelComponents } from './components.js';

/** One line removed: its course from end to end, in working pixels, and its thickness. */
export interface RuledLine {
  orientation: 'horizontal' | 'vertical';
  /** Start and end of the line's centre: x, y of each end. */
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  thickness: number;
}

/**
 * Every threshold of the line finder, in one place.
 * - STRIP: the length (px) over which a line must fill a row of its strip; a line may drift one pixel in it.
 * - FILL: the share of a strip's row a line fills (ink faded by compression leaves holes).
 * - MIN_STRIPS: a candidate spans at least this many strips.
 * - MIN_LENGTH: no line is shorter (px); a picture smaller than this both ways (an MNIST digit) has none.
 * - STEP: how far (px) a line's course may move from one strip to the next.
 * - MAX_THICKNESS: a line is at most this thick (px), and at most THIN of the character height.
 * - PEN_THICKNESS, PEN_THIN: when no line that thin is found, lines up to this thick (px) are looked for once
 *   more: a pen's underline (at most THIN of the character height, or PEN_THIN when it reaches past the writing
 *   at both ends by its own thickness, as under small writing), lying along at least
 *   PEN_SPAN of the writing's width (a minus sign run into a digit's base also makes a thick straight run);
 *   only looked for when some row holds a run of ink PEN_RUN px long.
 * - H_LENGTH, V_LENGTH: a horizontal (vertical) line is at least this many character heights long; a `1` is
 *   about one character height, an underline of two digits about two, a minus sign under one.
 * - SPAN: a line across this share of the picture is a line of the sheet when nothing else decides.
 * - CORNER: how near (in thicknesses, plus 3 px) a vertical line's ends come to a horizontal line's ends
 *   to be the side of a box.
 * - INK_LEVEL: pixels at this fraction of the strongest ink count when looking for lines (light printed lines
 *   are far paler than the writing).
 * - COVERED: ink lies on a line's course over at least this share of its length (the tops of a row of
 *   digits line up too, but with paper between them).
 * - STRAIGHT: a line strays from a straight course by at most this share of its length (root mean square).
 * - OWN_RUNS: the line's thickness is this quantile of the runs of ink across it.
 * - TOUCH: writing touching a line from one side keeps the line's pixels there over at most this many
 *   character heights along it.
 * - BESIDE: a horizontal line over the writing's middle that is neither a box's nor across the picture
 *   must reach this many character heights past the writing.
 * - SLENDER: a line is at least this many times longer than it is thick.
 * - GAP_STRIPS: a chain of strips may skip this many strips where writing sits on the line and thickens it.
 * - PALE: a line whose own ink is at most this share of the strongest ink is printed paler than the writing
 *   (a sheet's ruling, a form's tinted box); pen over it is told apart by its strength.
 * - DARKER: on a pale line, a pixel this far (share of the way) from the line's own strength to the
 *   strongest ink is pen over the line, and stays.
 * - TWIN_GAP: beside a pale line, a run of ink no thicker than it and as pale, with paper on both sides of it
 *   and at most this many pixels of paper between them, is its twin (a margin is often ruled double, and at
 *   the working size the two lines run so close that one course is found for both); it goes too.
 * - CELLS, WALL_REACH: a form's comb (a row of boxes, one per character) has walls from its top to its bottom
 *   whose ends lie within WALL_REACH px (plus the lines' thickness) of both, that lean as its sides do (within
 *   WALL_REACH px end to end), and that cut it into cells equal within CELLS of their typical width.
 */
const STRIP = 8;
const FILL = 0.8;
const MIN_STRIPS = 3;
const MIN_LENGTH = 30;
const STEP = 2;
const MAX_THICKNESS = 6;
const PEN_THICKNESS = 12;
const PEN_SPAN = 0.6;
const PEN_THIN = 0.25;
const PEN_RUN = 2 * MIN_LENGTH;
const THIN = 0.15;
const H_LENGTH = 1.4;
const V_LENGTH = 1.6;
const SPAN = 0.9;
const CORNER = 3;
const INK_LEVEL = 0.06;
const GAP_STRIPS = 3;
const SLENDER = 10;
const COVERED = 0.85;
const OWN_RUNS = 0.2;
const TOUCH = 0.25;
const BESIDE = 0.5;
const STRAIGHT = 0.025;
const PALE = 0.5;
const DARKER = 0.5;
const TWIN_GAP = 3;
const CELLS = 0.15;
const WALL_REACH = 2;

/** Picture-sized scratch arrays kept between pictures (the line finder runs on every picture). */
const buffers = {
  u8: [new Uint8Array(0), new Uint8Array(0)],
  f32: new Float32Array(0),
  /** Scratch bytes number `which` (0 or 1), `n` long, contents undefined. */
  bytes(which: number, n: number): Uint8Array {
    if (this.u8[which].length < n) this.u8[which] = new Uint8Array(n);
    return this.u8[which].subarray(0, n);
  },
  i32: new Int32Array(0),
  /** Scratch ints, `n` long, zeroed. */
  ints(n: number): Int32Array {
    if (this.i32.length < n) this.i32 = new Int32Array(n);
    return this.i32.subarray(0, n).fill(0);
  },
  /** Scratch floats, `n` long, contents undefined. */
  floats(n: number): Float32Array {
    if (this.f32.length < n) this.f32 = new Float32Array(n);
    return this.f32.subarray(0, n);
  },
};

/** A candidate line along one axis: its centre per position along it, and the extent of ink across it there. */
interface Candidate {
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

/**
 * Find the lines of a sheet or a form in `strength` (ink strength per pixel, `width` x `height`, ink > 0),
 * clear them in place, and return them (see the file comment). Pictures without such lines are left as they are.
 * @param peak the strongest ink in `strength`.
 * @param o.penLines when no thin line is found, look again for lines as thick as a pen's (default true; a
 *   second look at a picture whose lines were taken out leaves it off, or it finds the writing's strokes).
 */
export function removeRules(
  strength: Float32Array,
  width: number,
  height: number,
  peak: number,
  o: { penLines?: boolean } = {},
): RuledLine[] {
  if (width < MIN_LENGTH && height < MIN_LENGTH) return [];
  const level = INK_LEVEL * peak;
  const n = width * height;
  const mask = buffers.bytes(0, n);
  // ink per row and per column: rows and columns too empty to hold a line are never scanned
  const rowInk = new Int32Array(height),
    colInk = new Int32Array(width);
  mask.fill(0);
  // most pixels are paper: only ink is written
  // the longest run of ink along a row: without one as long as PEN_RUN there is no pen's underline to look for
  let longest = 0;
  for (let y = 0; y < height; y++) {
    let count = 0,
      run = 0;
    for (let x = 0, i = y * width; x < width; x++, i++) {
      if (strength[i] > level) {
        mask[i] = 1;
        count++;
        colInk[x]++;
        run++;
      } else {
        if (run > longest) longest = run;
        run = 0;
      }
    }
    if (run > longest) longest = run;
    rowInk[y] = count;
  }
  const penLines = o.penLines !== false && longest >= PEN_RUN;
  for (const thickest of penLines ? [MAX_THICKNESS, PEN_THICKNESS] : [MAX_THICKNESS]) {
    const pen = thickest > MAX_THICKNESS;
    // a pen's line kept is an underline: lying across, so only rows are scanned for it
    const found = [
      ...candidates(mask, width, height, true, rowInk, thickest),
      ...(pen ? [] : candidates(mask, width, height, false, colInk, thickest)),
    ];
    // the pen strokes of ordinary writing are rarely this slender; only then is it worth measuring the characters
    if (!found.some(slender)) continue;
    // a pen's thick strokes make short thick runs too (a 7's bar): only slender ones are taken out to measure
    const writing = measureWriting(mask, strength, width, height, pen ? found.filter(slender) : found);
    // a pen's underline thicker than THIN of small writing reaches past it at both ends: the bases of digits
    // written close make a thick straight run too, but within the writing
    const lines = accepted(found, writing, width, height, pen ? PEN_THIN : THIN).filter(
      (c) =>
        !pen ||
        (c.horizontal &&
          lineLength(c) >= PEN_SPAN * (writing.x1 - writing.x0 + 1) &&
          (c.thickness <= Math.max(2, THIN * writing.height) ||
            (c.a0 <= writing.x0 - c.thickness && c.a1 >= writing.x1 + c.thickness))),
    );
    if (!pen)
      for (const c of shortWalls(
        mask,
        width,
        height,
        found.filter((c) => c.horizontal && slender(c)),
        lines,
        thickest,
      ))
        if (!lines.includes(c)) lines.push(c);
    if (lines.length === 0) continue;
    clear(strength, mask, width, height, lines, writing.height, peak);
    return lines.map((c) => describe(c));
  }
  return [];
}

/** True when a line found runs across a `width` x `height` picture (SPAN of it or more), as a sheet's lines do. */
export function acrossPicture(l: RuledLine, width: number, height: number): boolean {
  return l.orientation === 'horizontal' ? l.x1 - l.x0 + 1 >= SPAN * width : l.y1 - l.y0 + 1 >= SPAN * height;
}

/** A candidate's length along its course (px). */
const lineLength = (c: Candidate): number => c.a1 - c.a0 + 1;

/** True when a candidate is at least SLENDER times longer than thick, as the strokes of writing rarely are. */
const slender = (c: Candidate): boolean => lineLength(c) >= SLENDER * c.thickness;

/** Where a candidate lies across its course, at its middle (px). */
const middleAcross = (c: Candidate): number => c.centre[c.centre.length >> 1] - 0.5;

/** True when position `i` of a candidate holds the line alone: ink no thicker than the line, nothing crossing. */
const pureAt = (c: Candidate, i: number): boolean => c.lo[i] >= 0 && c.hi[i] - c.lo[i] + 1 <= c.thickness + 2;

/** Index of the pixel at `a` along and `c` across a line of the given orientation. */
function at(horizontal: boolean, width: number, a: number, c: number): number {
  return horizontal ? c * width + a : a * width + c;
}

/** Candidate lines along one axis: chains of strips whose rows are filled, refined to pixels. */
function candidates(
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
function band(c: Candidate, a: number): [number, number] {
  const i = a - c.a0;
  if (pureAt(c, i)) return [c.lo[i], c.hi[i]];
  const mid = c.centre[i] - 0.5;
  return [Math.round(mid - c.thickness / 2), Math.round(mid + c.thickness / 2)];
}

/** Where the writing is, measured with the candidate lines taken out. */
interface Writing {
  /** Median height of the larger pieces; 0 when nothing but lines is left. */
  height: number;
  /** Median of their vertical middles. */
  middle: number;
  /** Their leftmost and rightmost column. */
  x0: number;
  x1: number;
}

/** The writing left when every candidate line is taken out (see {@link Writing}). */
function measureWriting(
  mask: Uint8Array,
  strength: Float32Array,
  width: number,
  height: number,
  found: Candidate[],
): Writing {
  const rest = buffers.floats(width * height);
  for (let i = 0; i < rest.length; i++) rest[i] = mask[i] ? strength[i] : 0;
  for (const c of found) {
    const across = c.horizontal ? height : width;
    for (let a = c.a0; a <= c.a1; a++) {
      const [lo, hi] = band(c, a);
      for (let v = Math.max(0, lo); v <= Math.min(across - 1, hi); v++) rest[at(c.horizontal, width, a, v)] = 0;
    }
  }
  const { components } = labelComponents(rest, width, height, { into: buffers.ints(width * height) });
  let largest = 0;
  for (const p of components) largest = Math.max(largest, p.mass);
  const big = components.filter((p) => p.mass >= 0.1 * largest && p.area >= 12);
  if (big.length === 0) return { height: 0, middle: 0, x0: 0, x1: 0 };
  const median = (xs: number[]) => xs.sort((x, y) => x - y)[xs.length >> 1];
  return {
    height: median(big.map((p) => p.y1 - p.y0 + 1)),
    middle: median(big.map((p) => (p.y0 + p.y1) / 2)),
    x0: Math.min(...big.map((p) => p.x0)),
    x1: Math.max(...big.map((p) => p.x1)),
  };
}

/**
 * The candidates that are lines of the sheet or a form, judged against the characters' height; none thicker
 * than `thinShare` of it.
 */
function accepted(found: Candidate[], writing: Writing, width: number, height: number, thinShare: number): Candidate[] {
  const charHeight = writing.height;
  const thinEnough = (c: Candidate) =>
    slender(c) && (charHeight === 0 || c.thickness <= Math.max(2, thinShare * charHeight));
  const spans = (c: Candidate) => lineLength(c) >= SPAN * (c.horizontal ? width : height);
  const thin = found.filter(thinEnough);
  // a box: two horizontal lines joined at both ends by two vertical ones, whatever is written in it
  const sides = thin.filter((v) => !v.horizontal && isBoxSide(v, thin));
  const boxed = new Set<Candidate>();
  for (const hz of thin) {
    if (!hz.horizontal) continue;
    const left = sides.filter((v) => meetsEnd(v, hz, hz.a0)),
      right = sides.filter((v) => meetsEnd(v, hz, hz.a1));
    if (left.length && right.length) for (const c of [hz, ...left, ...right]) boxed.add(c);
  }
  // a box whose side is hidden by writing run into it: a top and a bottom of the same extent, one over and
  // one under the writing, with one side meeting both
  for (const top of thin) {
    if (!top.horizontal) continue;
    for (const bottom of thin) {
      if (!bottom.horizontal || middleAcross(bottom) <= writing.middle || middleAcross(top) >= writing.middle) continue;
      const r = cornerReach(top, bottom);
      if (Math.abs(top.a0 - bottom.a0) > r || Math.abs(top.a1 - bottom.a1) > r) continue;
      const side = sides.filter((v) => [top.a0, top.a1].some((x) => meetsEnd(v, top, x) && meetsEnd(v, bottom, x)));
      if (side.length) for (const c of [top, bottom, ...side]) boxed.add(c);
    }
  }
  // a row of boxes, one per character (a form's comb): the walls between them run from the boxes' top to their
  // bottom, meeting both along their length rather than at their ends, lean as its sides do, and cut the row
  // into equal cells (a stroke of a digit touching its box's top and bottom stands anywhere)
  const boxedRows = [...boxed].filter((c) => c.horizontal);
  const boxSides = [...boxed].filter((c) => !c.horizontal);
  const walls = thin.filter(
    (v) =>
      !v.horizontal &&
      !boxed.has(v) &&
      boxSides.some((side) => Math.abs(drift(v) - drift(side)) <= WALL_REACH) &&
      [v.a0, v.a1].every((y) => boxedRows.some((hz) => crosses(v, hz, y))),
  );
  if (walls.length && evenlySpaced([...boxSides, ...walls])) for (const v of walls) boxed.add(v);
  const horizontal = thin.filter(
    (c) =>
      c.horizontal &&
      (boxed.has(c) ||
        spans(c) ||
        (charHeight > 0 && lineLength(c) >= H_LENGTH * charHeight && underOrBeside(c, writing))),
  );
  const grid = horizontal.filter(spans).length >= 2;
  const vertical = thin.filter((c) => {
    if (c.horizontal) return false;
    if (boxed.has(c) || (charHeight > 0 && lineLength(c) >= V_LENGTH * charHeight)) return true;
    return grid && spans(c);
  });
  return [...horizontal, ...vertical];
}

/**
 * True when horizontal line `c` lies under the middle of the writing (an underline, a ruled line under it) or
 * reaches well past it to one side: a line over the writing that is neither a box's nor the sheet's is more
 * likely the bar of a 7 run into its neighbour.
 */
function underOrBeside(c: Candidate, writing: Writing): boolean {
  const y = middleAcross(c);
  const past = BESIDE * writing.height;
  return y >= writing.middle || c.a0 < writing.x0 - past || c.a1 > writing.x1 + past;
}

/** How near (px) two lines' ends must come to meet at a corner. */
function cornerReach(a: Candidate, b: Candidate): number {
  return CORNER * Math.max(a.thickness, b.thickness) + 3;
}

/** True when vertical line `v` stands at position `x` of horizontal line `hz` and one of its ends is on it. */
function meetsEnd(v: Candidate, hz: Candidate, x: number): boolean {
  const r = cornerReach(v, hz);
  const vx = v.centre[0];
  if (Math.abs(vx - x) > r) return false;
  const xi = Math.round(Math.min(hz.a1, Math.max(hz.a0, vx)));
  const y = hz.centre[xi - hz.a0];
  return Math.abs(v.a0 - y) <= r || Math.abs(v.a1 - y) <= r;
}

/**
 * Small boxes and combs, whose sides are too short to be found as lines (under MIN_LENGTH): two of the
 * horizontal candidates `across`, one over the other and as thick, that end together inside the picture, with
 * columns filled from one to the other at both ends (the sides). They are returned with the sides, and with the
 * walls between the sides when these cut the box into three or more equal cells, as a comb's do (a digit's
 * stroke touching its box's top and bottom stands anywhere); sides and walls among `known` are not returned again.
 */
function shortWalls(
  mask: Uint8Array,
  width: number,
  height: number,
  across: Candidate[],
  known: Candidate[],
  thickest: number,
): Candidate[] {
  const rows = across.filter((c) => c.a0 > 1 && c.a1 < width - 2);
  const out: Candidate[] = [];
  for (const top of rows)
    for (const bottom of rows) {
      const r = cornerReach(top, bottom);
      if (bottom === top || Math.abs(top.thickness - bottom.thickness) > 1) continue;
      if (Math.abs(top.a0 - bottom.a0) > r || Math.abs(top.a1 - bottom.a1) > r) continue;
      // the box's ends: writing over a corner may hide one line's end
      const x0 = Math.min(top.a0, bottom.a0),
        x1 = Math.max(top.a1, bottom.a1);
      const course = (c: Candidate, x: number) => c.centre[Math.min(c.a1, Math.max(c.a0, x)) - c.a0] - 0.5;
      const yTop = (x: number) => Math.round(course(top, x) + top.thickness / 2) + 1;
      const yBottom = (x: number) => Math.round(course(bottom, x) - bottom.thickness / 2) - 1;
      // a box lower than half the shortest course the line finder follows is too low to write in
      if (yBottom(x0) - yTop(x0) < (MIN_STRIPS * STRIP) / 2) continue;
      // columns filled from the top line to the bottom one, in runs no thicker than a line
      const runs: Array<[number, number]> = [];
      for (let x = x0; x <= x1; x++) {
        let filled = 0;
        const y0 = yTop(x),
          y1 = yBottom(x);
        for (let y = y0; y <= y1; y++) filled += mask[y * width + x];
        const full = filled >= FILL * (y1 - y0 + 1);
        const last = runs[runs.length - 1];
        if (full && last && last[1] === x - 1) last[1] = x;
        else if (full) runs.push([x, x]);
      }
      // printed, a box's lines are all as thick
      const t = Math.max(top.thickness, bottom.thickness);
      const thin = runs.filter(([a, b]) => b - a + 1 <= Math.min(thickest, t + 1));
      const middle = ([a, b]: [number, number]) => (a + b) / 2;
      const near = (x: number, reach: number): [number, number] | undefined => {
        let best: [number, number] | undefined;
        for (const w of thin)
          if (Math.abs(middle(w) - x) <= reach && (!best || Math.abs(middle(w) - x) < Math.abs(middle(best) - x)))
            best = w;
        return best;
      };
      // the sides stand at the lines' ends, as a printed box's do
      const left = near(x0, t + WALL_REACH),
        right = near(x1, t + WALL_REACH);
      if (!left || !right) continue;
      // the most cells whose every wall is there; three at least, as one stroke in the middle of a box may be a 1
      const span = middle(right) - middle(left);
      let walls = [left, right];
      // cells at least half as wide as they are tall
      for (let cells = 3; span / cells >= (yBottom(x0) - yTop(x0)) / 2; cells++) {
        const cell = span / cells;
        const found = Array.from({ length: cells - 1 }, (_, i) =>
          near(middle(left) + (i + 1) * cell, Math.max(2, CELLS * cell)),
        );
        if (found.every((w) => w)) walls = [left, ...(found as Array<[number, number]>), right];
      }
      out.push(top, bottom);
      for (const [a, b] of walls) {
        const x = (a + b) / 2;
        // a side or wall long enough to have been found already
        if (known.some((v) => !v.horizontal && Math.abs(middleAcross(v) - x) <= t + WALL_REACH)) continue;
        const y0 = yTop(Math.round(x)) - 1,
          y1 = yBottom(Math.round(x)) + 1;
        const n = y1 - y0 + 1;
        const lo = new Int32Array(n).fill(a),
          hi = new Int32Array(n).fill(b);
        out.push({
          horizontal: false,
          a0: y0,
          a1: y1,
          centre: new Float32Array(n).fill(x + 0.5),
          lo,
          hi,
          thickness: b - a + 1,
        });
      }
    }
  return out;
}

/** How far (px) a line's course moves from its first position to its last. */
const drift = (c: Candidate): number => c.centre[c.centre.length - 1] - c.centre[0];

/** True when vertical lines stand at equal distances from each other, give or take CELLS. */
function evenlySpaced(verticals: Candidate[]): boolean {
  const xs = verticals.map(middleAcross).sort((a, b) => a - b);
  const gaps = xs.slice(1).map((x, i) => x - xs[i]);
  if (gaps.length < 2) return false;
  const typical = [...gaps].sort((a, b) => a - b)[gaps.length >> 1];
  return gaps.every((g) => Math.abs(g - typical) <= CELLS * typical);
}

/** True when vertical line `v`, at its end `y`, lies on horizontal line `hz` anywhere along it. */
function crosses(v: Candidate, hz: Candidate, y: number): boolean {
  const r = Math.max(v.thickness, hz.thickness) + WALL_REACH;
  const x = v.centre[Math.round(y) - v.a0];
  if (x < hz.a0 - r || x > hz.a1 + r) return false;
  const xi = Math.round(Math.min(hz.a1, Math.max(hz.a0, x)));
  return Math.abs(hz.centre[xi - hz.a0] - y) <= r;
}

/** True when both ends of vertical line `v` meet the end of a horizontal line among `lines`: the side of a box. */
function isBoxSide(v: Candidate, lines: Candidate[]): boolean {
  const meets = (y: number) =>
    lines.some((hz) => {
      if (!hz.horizontal) return false;
      const r = cornerReach(v, hz);
      const x = v.centre[0];
      if (Math.abs(x - hz.a0) > r && Math.abs(x - hz.a1) > r) return false;
      const xi = Math.round(Math.min(hz.a1, Math.max(hz.a0, x)));
      return Math.abs(hz.centre[xi - hz.a0] - y) <= r;
    });
  return meets(v.a0) && meets(v.a1);
}

/**
 * Clear the lines in `strength`: the band of every line, with its faint rim, except where a stroke crosses it
 * (ink that is no line goes on beyond the band on both sides, within a line's thickness along it) or writing
 * touches it from one side for a short stretch.
 */
function clear(
  strength: Float32Array,
  mask: Uint8Array,
  width: number,
  height: number,
  lines: Candidate[],
  charHeight: number,
  peak: number,
): void {
  // measured before any line is cleared: where two lines cross, the first cleared would take the other's pixels
  const keepAbove = lines.map((c) => {
    const own = ownStrength(strength, width, c);
    return own <= PALE * peak ? own + DARKER * (peak - own) : Infinity;
  });
  const onLine = buffers.bytes(1, width * height).fill(0);
  for (const c of lines) {
    const across = c.horizontal ? height : width;
    for (let a = c.a0; a <= c.a1; a++) {
      const [lo, hi] = band(c, a);
      for (let v = Math.max(0, lo - 1); v <= Math.min(across - 1, hi + 1); v++)
        onLine[at(c.horizontal, width, a, v)] = 1;
    }
  }
  const writing = (horizontal: boolean, a: number, v: number, along: number, across: number) => {
    if (a < 0 || a >= along || v < 0 || v >= across) return false;
    const i = at(horizontal, width, a, v);
    return mask[i] === 1 && onLine[i] === 0;
  };
  lines.forEach((c, k) => {
    const along = c.horizontal ? width : height,
      across = c.horizontal ? height : width;
    const reach = Math.max(1, Math.round(c.thickness));
    // per position: 2 where a stroke crosses the line, 1 where writing touches it from one side, else 0
    const touch = new Uint8Array(c.a1 - c.a0 + 1);
    for (let a = c.a0; a <= c.a1; a++) {
      const [lo, hi] = band(c, a);
      let above = false,
        below = false;
      for (let d = -reach; d <= reach && !(above && below); d++) {
        above ||=
          writing(c.horizontal, a + d, lo - 2, along, across) || writing(c.horizontal, a + d, lo - 3, along, across);
        below ||=
          writing(c.horizontal, a + d, hi + 2, along, across) || writing(c.horizontal, a + d, hi + 3, along, across);
      }
      touch[a - c.a0] = above && below ? 2 : above || below ? 1 : 0;
    }
    // writing touching the line from one side keeps it only for a short stretch (a stroke along the line,
    // the top of a 0 on it); a long stretch is a character standing against the side of a box
    const longest = Math.max(2, TOUCH * charHeight);
    for (let i = 0; i < touch.length;) {
      let j = i;
      while (j < touch.length && touch[j] === 1) j++;
      if (j > i && j - i > longest) touch.fill(0, i, j);
      i = Math.max(j, i + 1);
    }
    for (let a = c.a0; a <= c.a1; a++) {
      if (touch[a - c.a0] > 0) continue;
      const [lo, hi] = band(c, a);
      for (let v = Math.max(0, lo - 2); v <= Math.min(across - 1, hi + 2); v++) {
        const i = at(c.horizontal, width, a, v);
        // beyond the band only the faint rim goes; a stroke touching the line keeps its ink
        if ((v < lo || v > hi) && mask[i] && !onLine[i]) continue;
        // pen written over a pale line is darker than the line: the stroke crossing or running along it stays
        if (strength[i] >= keepAbove[k]) continue;
        strength[i] = 0;
      }
      if (Number.isFinite(keepAbove[k])) {
        clearTwin(strength, mask, width, c, a, lo, -1, across, keepAbove[k]);
        clearTwin(strength, mask, width, c, a, hi, 1, across, keepAbove[k]);
      }
    }
  });
}

/**
 * The twin of pale line `c` at position `a` (see TWIN_GAP), on the side of band edge `edge` that `dir` points
 * to: past the band's rim and a gap of paper, a run of ink no thicker than the line with every pixel under
 * `keepAbove` (as pale as the line, not pen) is cleared.
 */
function clearTwin(
  strength: Float32Array,
  mask: Uint8Array,
  width: number,
  c: Candidate,
  a: number,
  edge: number,
  dir: number,
  across: number,
  keepAbove: number,
): void {
  const pos = (v: number) => at(c.horizontal, width, a, v);
  let v = edge + dir;
  // ink just past the band is the line's own soft edge (up to two pixels, the reach of clear's rim), not its twin
  for (let g = 0; g < 2 && v >= 0 && v < across && mask[pos(v)]; g++) v += dir;
  let gap = 0;
  while (v >= 0 && v < across && !mask[pos(v)] && gap <= TWIN_GAP) {
    v += dir;
    gap++;
  }
  if (gap === 0 || gap > TWIN_GAP) return;
  const start = v;
  let run = 0;
  while (v >= 0 && v < across && mask[pos(v)]) {
    if (strength[pos(v)] >= keepAbove || ++run > c.thickness + 1) return;
    v += dir;
  }
  if (run === 0) return;
  for (let u = start; u !== v; u += dir) strength[pos(u)] = 0;
}

/** The line's own strength: the median over its runs, where nothing crosses it, of each run's strongest pixel. */
function ownStrength(strength: Float32Array, width: number, c: Candidate): number {
  const values: number[] = [];
  for (let a = c.a0; a <= c.a1; a++) {
    const i = a - c.a0;
    if (!pureAt(c, i)) continue;
    let core = 0;
    for (let v = c.lo[i]; v <= c.hi[i]; v++) core = Math.max(core, strength[at(c.horizontal, width, a, v)]);
    values.push(core);
  }
  values.sort((x, y) => x - y);
  return values.length ? values[values.length >> 1] : Infinity;
}

function describe(c: Candidate): RuledLine {
  const first = c.centre[0] - 0.5,
    last = c.centre[c.centre.length - 1] - 0.5;
  return c.horizontal
    ? { orientation: 'horizontal', x0: c.a0, y0: first, x1: c.a1, y1: last, thickness: c.thickness }
    : { orientation: 'vertical', x0: first, y0: c.a0, x1: last, y1: c.a1, thickness: c.thickness };
}
