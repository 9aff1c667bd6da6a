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
import { boxLines, shortWalls } from './boxes.js';
import { at, band, candidates, lineLength, middleAcross, pureAt, slender, type Candidate } from './rule-course.js';
import {
  MIN_LENGTH,
  MAX_THICKNESS,
  PEN_THICKNESS,
  PEN_SPAN,
  PEN_THIN,
  PEN_RUN,
  THIN,
  H_LENGTH,
  V_LENGTH,
  SPAN,
  INK_LEVEL,
  TOUCH,
  BESIDE,
  PALE,
  DARKER,
  TWIN_GAP,
} from './rule-thresholds.js';

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
  const boxed = boxLines(thin, writing.middle);
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
