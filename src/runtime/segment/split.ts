/**
 * Where a glyph might be two characters. Touching digits lean into each other, so a straight cut would slice
 * both: in a glyph much wider than a character, each candidate is a top-to-bottom path through the least ink,
 * free to drift a column per row within a band around a low point of the vertical ink profile. A glyph of
 * several pieces, whatever its width, may also be parted between its pieces. Whether to cut at all is the
 * network's call.
 */
import type { InkMap } from '../ink/find.js';
import type { RowSpan } from '../ink/fit.js';
import { glyphHeight, glyphWidth, type Glyph } from './glyph.js';
import { CUTS, READER } from '../reader-thresholds.js';

/** Glyphs at least this many character heights wide may be two touching characters, cut through ink. */
export const SPLIT_MIN_WIDTH = CUTS.minWidth;

/** A cut: per row of the glyph, the last column of the left side. */
export interface Cut {
  y0: number;
  last: Int32Array;
  /** Ink the path crosses, as a fraction of the glyph's mean ink per row: about the number of strokes cut. */
  cost: number;
  /** True when the path runs between the glyph's pieces and crosses no ink ({@link pieceCuts}). */
  apart?: boolean;
}

/**
 * Candidate cuts of `g`, cheapest first: paths through ink for a glyph at least `SPLIT_MIN_WIDTH` wide, and
 * the paths between its pieces ({@link pieceCuts}) for any glyph.
 * @param height the line's character height.
 */
export function cutCandidates(map: InkMap, g: Glyph, height: number): Cut[] {
  const w = glyphWidth(g),
    h = glyphHeight(g);
  if (g.span) return [];
  const between = pieceCuts(map, g);
  if (w < SPLIT_MIN_WIDTH * height) return between;
  const keep = new Uint8Array(map.pieces.length + 1);
  for (const l of g.labels) keep[l] = 1;
  const ink = new Float32Array(w * h);
  const profile = new Float64Array(w);
  const { strength, labels, owner, width } = map;
  for (let y = 0; y < h; y++) {
    const row = (g.y0 + y) * width + g.x0;
    for (let x = 0; x < w; x++) {
      const l = labels[row + x];
      if (l && keep[owner[l]]) {
        ink[y * w + x] = strength[row + x];
        profile[x] += strength[row + x];
      }
    }
  }
  // A 3-column average keeps single-column dips of a ragged stroke from posing as gaps.
  const smooth = new Float64Array(w);
  for (let i = 0; i < w; i++)
    smooth[i] = (profile[Math.max(0, i - 1)] + profile[i] + profile[Math.min(w - 1, i + 1)]) / 3;
  const margin = Math.max(1, Math.round(CUTS.minSide * height));
  const starts: number[] = [];
  for (let i = margin; i < w - margin; i++) {
    if (smooth[i] <= smooth[i - 1] && smooth[i] <= smooth[i + 1]) starts.push(i);
  }
  const band = Math.max(2, Math.round(CUTS.band * height));
  const cuts: Cut[] = [];
  const taken: number[] = [];
  starts.sort((a, b) => smooth[a] - smooth[b]);
  // Touching characters do not always leave a dip in the profile (one leans over the other): paths from
  // a few fixed places across the glyph are tried as well, after the dips.
  for (const f of CUTS.fixedStarts) {
    const i = Math.round(f * (w - 1));
    if (i >= margin && i < w - margin) starts.push(i);
  }
  for (const s of starts) {
    if (taken.some((t) => Math.abs(t - s) < margin)) continue;
    taken.push(s);
    const lo = Math.max(margin - 1, s - band),
      hi = Math.min(w - margin - 1, s + band);
    const cut = cheapestPath(ink, w, h, lo, hi, g, g.mass / h);
    // Neighbouring starts often settle on the same path: the network need not read it twice.
    if (cuts.some((c) => samePath(c, cut))) continue;
    cuts.push(cut);
    if (cuts.length === CUTS.maxCandidates) break;
  }
  // Paths free to drift settle on the cheapest gap nearby, often the same one. A glyph of several touching
  // characters needs a path near each of their meeting points: paths held to a narrow band start across it.
  const step = Math.max(2, Math.round(CUTS.startStep * height));
  const narrow = Math.max(1, Math.round(CUTS.narrowBand * height));
  const grid = w >= CUTS.gridFrom * height ? w - margin : 0;
  for (let s = margin; s < grid && cuts.length < CUTS.maxCandidates + CUTS.maxNarrow; s += step) {
    const cut = cheapestPath(
      ink,
      w,
      h,
      Math.max(margin - 1, s - narrow),
      Math.min(w - margin - 1, s + narrow),
      g,
      g.mass / h,
    );
    if (!cuts.some((c) => samePath(c, cut))) cuts.push(cut);
  }
  // a path through ink that runs exactly between pieces is that path between them, which cuts nothing
  for (const c of between) {
    const same = cuts.findIndex((k) => samePath(k, c));
    if (same >= 0) cuts[same] = c;
    else cuts.push(c);
  }
  return cuts.sort((a, b) => a.cost - b.cost);
}

/**
 * Paths that part a glyph of several pieces (joined because they share columns, segment/line.ts) between
 * them: for each way of taking its pieces in order of their middles, the first ones left and the rest right,
 * where on every row the left ones' ink ends before the right ones' begins, and the two sides stand side by
 * side (`CUTS.sideBySide`) rather than stacked. A slanted 1 beside a digit shares its columns as a broken
 * character's pieces do; such a path crosses no ink, and the network tells the two. On rows where a side has
 * no ink the path keeps to the gap's middle column as far as the other side allows, so the paths of one glyph
 * never cross and leave every piece a part of its own. At most `CUTS.maxPieceCuts` paths, the first ones in
 * order, so a glyph of many specks costs no more than a few.
 */
export function pieceCuts(map: InkMap, g: Glyph): Cut[] {
  const n = Math.min(g.labels.length, CUTS.maxPieceCuts + 1);
  if (g.labels.length < 2) return [];
  const { labels, owner, width, pieces } = map;
  const middle = (l: number): number => pieces[l - 1].x0 + pieces[l - 1].x1;
  const order = [...g.labels].sort((a, b) => middle(a) - middle(b));
  // Pieces beyond the first n - 1 in order stay on the right of every path.
  const rank = new Int32Array(pieces.length + 1).fill(-1);
  order.forEach((l, i) => (rank[l] = Math.min(i, n - 1)));
  const h = glyphHeight(g);
  // Per row and rank, the first and last ink column; -1 where there is none.
  const first = new Int32Array(h * n).fill(-1),
    last = new Int32Array(h * n).fill(-1);
  for (let y = 0; y < h; y++) {
    const row = (g.y0 + y) * width;
    for (let x = g.x0; x <= g.x1; x++) {
      const l = labels[row + x];
      const i = l ? rank[owner[l]] : -1;
      if (i < 0) continue;
      if (first[y * n + i] < 0) first[y * n + i] = x;
      last[y * n + i] = x;
    }
  }
  // Per row, the left side's last ink column for each split k (pieces before k), and the right side's first.
  const leftEnd = new Int32Array(h * n).fill(-1),
    rightStart = new Int32Array(h * n).fill(-1);
  for (let y = 0; y < h; y++) {
    for (let k = 1; k < n; k++) leftEnd[y * n + k] = Math.max(leftEnd[y * n + k - 1], last[y * n + k - 1]);
    for (let k = n - 1; k >= 1; k--) {
      const a = first[y * n + k],
        next = k + 1 < n ? rightStart[y * n + k + 1] : -1;
      rightStart[y * n + k] = a < 0 ? next : next < 0 ? a : Math.min(a, next);
    }
  }
  const cuts: Cut[] = [];
  for (let k = 1; k < n; k++) {
    let leftRows = 0,
      rightRows = 0,
      bothRows = 0,
      gaps = 0,
      gapSum = 0,
      apart = true;
    for (let y = 0; y < h && apart; y++) {
      const l = leftEnd[y * n + k],
        r = rightStart[y * n + k];
      if (l >= 0) leftRows++;
      if (r >= 0) rightRows++;
      if (l >= 0 && r >= 0) {
        bothRows++;
        apart = l < r;
        gaps++;
        gapSum += (l + r - 1) / 2;
      }
    }
    // Side by side, not stacked: a ÷'s dots, or a bar lifted over the rest, share few rows with it.
    if (!apart || bothRows < CUTS.sideBySide * Math.min(leftRows, rightRows)) continue;
    const centre = Math.round(gapSum / gaps);
    const path = new Int32Array(h);
    for (let y = 0; y < h; y++) {
      const l = leftEnd[y * n + k],
        r = rightStart[y * n + k];
      // the left side keeps at least its ink and the right side at least its own
      const lo = l >= 0 ? l : g.x0 - 1,
        hi = r >= 0 ? r - 1 : g.x1;
      path[y] = Math.min(hi, Math.max(lo, centre));
    }
    cuts.push({ y0: g.y0, last: path, cost: 0, apart: true });
  }
  return cuts;
}

/**
 * The top-to-bottom path through columns lo..hi (glyph coordinates) crossing the least ink, by dynamic
 * programming over rows; a path column c means the left side keeps columns up to c.
 */
function cheapestPath(ink: Float32Array, w: number, h: number, lo: number, hi: number, g: Glyph, rowInk: number): Cut {
  const bw = hi - lo + 1;
  const cost = new Float64Array(bw * h);
  const from = new Int8Array(bw * h);
  for (let x = 0; x < bw; x++) cost[x] = ink[lo + x];
  for (let y = 1; y < h; y++) {
    for (let x = 0; x < bw; x++) {
      const up = (y - 1) * bw + x;
      let best = cost[up],
        step = 0;
      if (x > 0 && cost[up - 1] + CUTS.driftCost < best) {
        best = cost[up - 1] + CUTS.driftCost;
        step = -1;
      }
      if (x + 1 < bw && cost[up + 1] + CUTS.driftCost < best) {
        best = cost[up + 1] + CUTS.driftCost;
        step = 1;
      }
      cost[y * bw + x] = best + ink[y * w + lo + x];
      from[y * bw + x] = step;
    }
  }
  let end = 0;
  for (let x = 1; x < bw; x++) if (cost[(h - 1) * bw + x] < cost[(h - 1) * bw + end]) end = x;
  const last = new Int32Array(h);
  for (let y = h - 1, x = end; y >= 0; y--) {
    last[y] = g.x0 + lo + x;
    x += from[y * bw + x];
  }
  return { y0: g.y0, last, cost: cost[(h - 1) * bw + end] / Math.max(1e-9, rowInk) };
}

function samePath(a: Cut, b: Cut): boolean {
  if (a.y0 !== b.y0 || a.last.length !== b.last.length) return false;
  for (let i = 0; i < a.last.length; i++) if (a.last[i] !== b.last[i]) return false;
  return true;
}

/** The two sides of `g` along `cut`. */
export function splitGlyph(g: Glyph, cut: Cut): [Glyph, Glyph] {
  const n = cut.last.length;
  const leftTo = cut.last;
  const leftFrom = new Int32Array(n).fill(g.x0);
  const rightFrom = cut.last.map((c) => c + 1);
  const rightTo = new Int32Array(n).fill(g.x1);
  let lx1 = g.x0,
    rx0 = g.x1;
  for (let i = 0; i < n; i++) {
    if (leftTo[i] > lx1) lx1 = leftTo[i];
    if (rightFrom[i] < rx0) rx0 = rightFrom[i];
  }
  const left: RowSpan = { y0: cut.y0, from: leftFrom, to: leftTo };
  const right: RowSpan = { y0: cut.y0, from: rightFrom, to: rightTo };
  return [
    { ...g, x1: lx1, span: left },
    { ...g, x0: rx0, span: right },
  ];
}

/**
 * The cuts of a glyph worth reading, left to right: the `READER.maxClearCuts` cheapest through ink that stay
 * clear of one another. A glyph wider than any one character surely holds touching characters, and the cheapest
 * path between two of them need not be the one that parts them well: it also keeps alternatives, the cheapest
 * of the other cuts through ink up to `READER.maxCutsPerGlyph` in all, cuts that cross or come within
 * `clearance` of a kept one on some row (a reading takes at most one of such a set; {@link glyphParts}). Every
 * path between the glyph's pieces ({@link pieceCuts}) is kept besides, as such an alternative, or in place of
 * the cut through ink it runs along. A cut less than `clearance` from a kept one on every row is the same cut,
 * give or take, and is left out.
 * @param cuts candidates, the cheapest first (as {@link cutCandidates} gives them).
 * @param clearance pixels two cuts of one reading stay apart on every row.
 * @param wide the glyph is wider than one character is written (segment/priors.ts, widestCharacter).
 */
export function keptCuts(cuts: Cut[], clearance: number, wide: boolean): Cut[] {
  const kept: Cut[] = [];
  const through = cuts.filter((c) => !c.apart);
  for (const c of through) {
    if (kept.length >= READER.maxClearCuts) break;
    if (kept.every((k) => clearOf(c, k, clearance) || clearOf(k, c, clearance))) kept.push(c);
  }
  // Alternatives only add to the clear cuts, so a wide glyph can always be cut as a narrower one is.
  for (const c of wide ? through : []) {
    if (kept.length >= READER.maxCutsPerGlyph) break;
    if (!kept.includes(c) && kept.every((k) => !sameCut(c, k, clearance))) kept.push(c);
  }
  // A path between pieces is an alternative too, and never takes the place of a cut through ink; where a
  // kept cut runs along it, that cut found the same gap and goes for the path, which crosses no ink.
  for (const c of cuts) {
    if (!c.apart) continue;
    const same = kept.findIndex((k) => !k.apart && sameCut(c, k, clearance));
    if (same >= 0) kept[same] = c;
    else kept.push(c);
  }
  return kept.sort((a, b) => cutColumn(a) - cutColumn(b));
}

/** True when cuts `a` and `b` lie less than `clearance` apart on every row (as {@link clearOf} measures). */
function sameCut(a: Cut, b: Cut, clearance: number): boolean {
  for (let i = 0; i < a.last.length; i++) if (Math.abs(a.last[i] - b.last[i]) >= clearance) return false;
  return true;
}

/** True when cut `a` lies left of cut `b` by at least `clearance` on every row (null: the glyph's own edge). */
export function clearOf(a: Cut | null, b: Cut | null, clearance: number): boolean {
  if (!a || !b) return true;
  for (let i = 0; i < a.last.length; i++) if (!(a.last[i] + clearance <= b.last[i])) return false;
  return true;
}

/** A part of a glyph between two of its boundaries: `from` and `to` index them, `left` and `right` are them. */
export interface GlyphPart {
  /** 0 for the glyph's left edge, k for the k-th cut, the number of cuts + 1 for its right edge. */
  from: number;
  to: number;
  /** The cuts bounding the part; null for the glyph's own edge. */
  left: Cut | null;
  right: Cut | null;
}

/**
 * The parts of a glyph a reading may take as one character, between boundaries of `cuts` (left to right, as
 * {@link keptCuts} gives them). A part runs only between two boundaries clear of each other, so a path through
 * the parts never takes two cuts that cross; and since `cuts` are sorted by their middle row, a part always
 * runs from a lower boundary to a higher one, the order the line reader's path search goes in.
 */
export function glyphParts(cuts: Cut[], clearance: number): GlyphPart[] {
  const ends: Array<Cut | null> = [null, ...cuts, null];
  const parts: GlyphPart[] = [];
  // Two paths between pieces only have to keep from crossing: what lies between them is a piece, never a sliver.
  const room = (a: Cut | null, b: Cut | null): number => (a?.apart && b?.apart ? 0 : clearance);
  for (let a = 0; a + 1 < ends.length; a++)
    for (let b = a + 1; b < ends.length; b++)
      if (clearOf(ends[a], ends[b], room(ends[a], ends[b])))
        parts.push({ from: a, to: b, left: ends[a], right: ends[b] });
  return parts;
}

/** Middle column of a cut, for decisions. */
export function cutColumn(cut: Cut): number {
  return cut.last[cut.last.length >> 1];
}
