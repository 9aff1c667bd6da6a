/**
 * Form boxes among the rule finder's candidate lines: a field's box (two horizontal lines joined at both ends
 * by two vertical ones, or with one side hidden by writing run into it), a comb of boxes (walls from its top to
 * its bottom that cut it into equal cells), and boxes and combs whose sides are too short to be found as lines.
 *
 * Shared code: no Node and no DOM imports.
 */
import { STRIP, FILL, MIN_STRIPS, CORNER, CELLS, WALL_REACH } from './rule-thresholds.js';
import { middleAcross, type Candidate } from './rule-course.js';

/**
 * The lines among `thin` (lines thin enough for a sheet's) that make form boxes: a box's top, bottom and sides
 * whatever is written in it, and the walls of a comb of boxes. `writingMiddle` is the writing's middle row.
 */
export function boxLines(thin: Candidate[], writingMiddle: number): Set<Candidate> {
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
      if (!bottom.horizontal || middleAcross(bottom) <= writingMiddle || middleAcross(top) >= writingMiddle) continue;
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
  return boxed;
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
export function shortWalls(
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
