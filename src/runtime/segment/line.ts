/**
 * One line of handwriting, model-free: the line's character height, underlines and dots set aside, the
 * check that the marks form one line, and the pieces of one character that overlap in x joined. What is
 * left is a left-to-right list of glyphs for the network-guided merges and splits.
 */
import { nothingWritten, type InkMap } from '../ink/find.js';
import { glyphHeight, glyphOf, glyphWidth, joinGlyphs, type Glyph } from './glyph.js';
import { LINE } from '../reader-thresholds.js';

/** The marks of a picture as one line of glyphs. */
export interface LineFound {
  ok: true;
  /** Left to right. */
  glyphs: Glyph[];
  /** Typical character height in source pixels. */
  height: number;
  /** The line's middle row (working pixels, a box's middle being (y0 + y1 + 1) / 2): the median of its tall glyphs'; NaN without any. */
  middle: number;
  /** What was set aside or joined, one line each. */
  decisions: string[];
}

/** Why the marks are not one line of characters. */
export interface LineRefusal {
  ok: false;
  reason: 'not-one-line' | 'no-ink';
  message: string;
}

/**
 * Group the ink of `map` into one line of glyphs, or say why it is not one line.
 * @param o.smallSigns keep small marks that may be operators written small as glyphs (for models that read
 *   operators): marks lying flat, and marks across the line's middle; and measure an operator written alone
 *   by its bars' length (signAlone).
 */
export function findLine(map: InkMap, o: { smallSigns?: boolean } = {}): LineFound | LineRefusal {
  const decisions: string[] = [];
  let glyphs = map.ink.map(glyphOf);
  // An operator written alone (a minus, an =) holds nothing that stands as tall as a character: its bars'
  // length measures the line instead, so the sign is read whole rather than cut into slivers.
  const signLength = o.smallSigns ? signAlone(map, glyphs) : 0;
  // Broken characters make pieces shorter than characters: this first height serves to spot rules, margins and
  // how many lines the marks form.
  let height = signLength || characterHeight(glyphs);

  const rules = glyphs.filter(
    (g) => glyphWidth(g) > LINE.ruleMinWidth * height && glyphHeight(g) < LINE.ruleMaxHeight * height,
  );
  if (rules.length) {
    glyphs = glyphs.filter((g) => !rules.includes(g));
    decisions.push(
      `ignored ${rules.length} rule${rules.length > 1 ? 's' : ''} (underline or strike) at ${rules.map((g) => where(g, map.scale)).join(', ')}`,
    );
  }

  // A margin line the line finder left (at a photo's working size a double one is too thick for a line, and one
  // at the picture's edge has paper on one side only) stands far taller and more slender than any character.
  const margins = glyphs.filter(
    (g) => glyphHeight(g) > LINE.marginMinHeight * height && glyphHeight(g) >= LINE.marginSlender * glyphWidth(g),
  );
  if (margins.length) {
    glyphs = glyphs.filter((g) => !margins.includes(g));
    decisions.push(
      `ignored ${margins.length} margin line${margins.length > 1 ? 's' : ''} at ${margins.map((g) => where(g, map.scale)).join(', ')}`,
    );
  }

  const lines = countLines(glyphs, height);
  if (lines > 1) {
    return {
      ok: false,
      reason: 'not-one-line',
      message: `not one line: found ${lines} lines of marks (${glyphs.length} pieces); give one line of digits`,
    };
  }

  // For models that read operators, a flat mark across the line's middle is kept apart from a tall neighbour
  // that shares its columns (a minus tucked under a 7's bar is a sign), and so is a small mark there standing
  // clear of the neighbour's ink (a + under a 2's curl): the pieces of a broken stroke nearly touch.
  const before = lineMiddle(glyphs, height);
  const apart = (a: Glyph, b: Glyph): boolean => !!o.smallSigns && signBeside(map, a, b, before, height);
  glyphs = joinColumns(glyphs, decisions, map.scale, apart);
  height = signLength || characterHeight(glyphs);

  const middle = lineMiddle(glyphs, height);
  // A model that reads operators may be given them written small: a mark lying flat (a short minus sign), or
  // one across the line's middle (a small + or ÷), is read rather than set aside.
  const smallSign = (g: Glyph): boolean =>
    glyphWidth(g) >= LINE.flatMark * glyphHeight(g) || Math.abs(boxMiddle(g) - middle) <= LINE.signBand * height;
  const dots = glyphs.filter(
    (g) =>
      glyphWidth(g) < LINE.dotSide * height &&
      glyphHeight(g) < LINE.dotSide * height &&
      !(o.smallSigns && smallSign(g)),
  );
  if (dots.length) {
    glyphs = glyphs.filter((g) => !dots.includes(g));
    decisions.push(
      `ignored ${dots.length} dot${dots.length > 1 ? 's' : ''} at ${dots.map((g) => where(g, map.scale)).join(', ')}`,
    );
  }
  // For a model that reads digits only, a lone mark lying flat and long is no character: an empty line to write
  // on (for one that reads operators it may be a minus sign).
  if (!o.smallSigns && glyphs.length === 1 && glyphWidth(glyphs[0]) >= LINE.loneLine * glyphHeight(glyphs[0]))
    return {
      ok: false,
      reason: 'no-ink',
      message: nothingWritten(1),
    };
  return { ok: true, glyphs, height, middle, decisions };
}

/**
 * True when, of two glyphs, one is a sign written beside the other, a tall one (at least `LINE.tall` of the
 * line's `height`), and not a piece of it, for models that read operators. The sign lies across the line's
 * middle (`middle`, working pixels, within `LINE.signBand`) and is either flat (a minus beside or under a
 * digit), or small (at most `LINE.signHeight` tall, at least half as wide as tall: a sliver is no sign) with
 * its ink no nearer than `LINE.signClear` character heights to the tall one's (a + under a 2's curl; the
 * pieces of a broken stroke nearly touch).
 */
export function signBeside(map: InkMap, a: Glyph, b: Glyph, middle: number, height: number): boolean {
  const beside = (sign: Glyph, digit: Glyph): boolean => {
    if (glyphHeight(digit) < LINE.tall * height || Math.abs(boxMiddle(sign) - middle) > LINE.signBand * height)
      return false;
    if (glyphWidth(sign) >= LINE.flatMark * glyphHeight(sign)) return true;
    if (glyphHeight(sign) > LINE.signHeight * height || 2 * glyphWidth(sign) < glyphHeight(sign)) return false;
    return inkApart(map, sign, digit, Math.max(2, Math.round(LINE.signClear * height)));
  };
  return beside(a, b) || beside(b, a);
}

/** True when no ink of glyph `a` lies within `reach` pixels (either way, on both axes) of glyph `b`'s. */
function inkApart(map: InkMap, a: Glyph, b: Glyph, reach: number): boolean {
  const { labels, owner, width } = map;
  const mine = (g: Glyph, i: number): boolean => {
    const l = labels[i];
    return l > 0 && g.labels.includes(owner[l]);
  };
  for (let y = a.y0; y <= a.y1; y++)
    for (let x = a.x0; x <= a.x1; x++) {
      if (!mine(a, y * width + x)) continue;
      for (let v = Math.max(b.y0, y - reach); v <= Math.min(b.y1, y + reach); v++)
        for (let u = Math.max(b.x0, x - reach); u <= Math.min(b.x1, x + reach); u++)
          if (mine(b, v * width + u)) return false;
    }
  return true;
}

/** A glyph box's middle row (working pixels). */
const boxMiddle = (g: Glyph): number => (g.y0 + g.y1 + 1) / 2;

/** Middle row of the line: the median of its tall glyphs' middles. */
function lineMiddle(glyphs: Glyph[], height: number): number {
  const ms = glyphs
    .filter((g) => glyphHeight(g) >= LINE.tall * height)
    .map(boxMiddle)
    .sort((a, b) => a - b);
  return ms.length ? ms[ms.length >> 1] : NaN;
}

/**
 * The length of the bar or bars when the marks are an operator written alone, else 0: one or two heavy bars
 * (`LINE.flatSign` times longer than thick, nearly every column solid: a run of touching digits is as flat,
 * but its columns cross two strokes and a hole), two of them over the same columns; any other mark a
 * dot over their columns (`LINE.signDot` of their length at most: a ÷'s) or a light crumb no taller than they
 * are; and all of it within `LINE.signStack` of their length from top to bottom (an = or a ÷, not two lines).
 */
function signAlone(map: InkMap, glyphs: Glyph[]): number {
  const heavy = heavyTest(glyphs);
  const bars = glyphs.filter(
    (g) =>
      heavy(g) &&
      glyphWidth(g) >= LINE.flatSign * glyphHeight(g) &&
      solidColumns(map, g) >= LINE.barColumns * glyphWidth(g),
  );
  if (bars.length === 0 || bars.length > 2) return 0;
  const length = Math.max(...bars.map(glyphWidth));
  const x0 = Math.min(...bars.map((g) => g.x0)),
    x1 = Math.max(...bars.map((g) => g.x1));
  const tallest = Math.max(...bars.map(glyphHeight));
  for (const g of glyphs) {
    if (bars.includes(g)) continue;
    const dot =
      glyphWidth(g) <= LINE.signDot * length && glyphHeight(g) <= LINE.signDot * length && g.x0 >= x0 && g.x1 <= x1;
    if (!dot && (heavy(g) || glyphHeight(g) > tallest)) return 0;
  }
  if (bars.length === 2) {
    const [a, b] = bars;
    const shared = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) + 1;
    if (shared < LINE.barsShared * Math.min(glyphWidth(a), glyphWidth(b))) return 0;
  }
  if (glyphHeight(glyphs.reduce(joinGlyphs)) > LINE.signStack * length) return 0;
  return length;
}

/**
 * How many of a one-piece glyph's columns are solid: ink over `LINE.barFill` of the rows from its first ink to
 * its last (a bar's column, even with a compression halo beside it; a ring's crosses two strokes and a hole).
 */
function solidColumns(map: InkMap, g: Glyph): number {
  const label = g.labels[0];
  let n = 0;
  for (let x = g.x0; x <= g.x1; x++) {
    let first = -1,
      last = -1,
      ink = 0;
    for (let y = g.y0; y <= g.y1; y++) {
      if (map.labels[y * map.width + x] !== label) continue;
      if (first < 0) first = y;
      last = y;
      ink++;
    }
    if (first >= 0 && ink >= LINE.barFill * (last - first + 1)) n++;
  }
  return n;
}

/** Whether a glyph is heavy among `glyphs`: `LINE.bigMass` of the heaviest's mass or more (no broken stroke or dot). */
function heavyTest(glyphs: Glyph[]): (g: Glyph) => boolean {
  let heaviest = 0;
  for (const g of glyphs) if (g.mass > heaviest) heaviest = g.mass;
  return (g) => g.mass >= LINE.bigMass * heaviest;
}

/** Median height of the heavy pieces: broken strokes and dots are light and do not drag it down. */
export function characterHeight(glyphs: Glyph[]): number {
  const hs = glyphs
    .filter(heavyTest(glyphs))
    .map(glyphHeight)
    .sort((a, b) => a - b);
  return hs.length ? hs[hs.length >> 1] : 1;
}

/**
 * Lines = groups of tall glyphs linked by vertical overlap, so a line written on a slant still chains
 * from neighbour to neighbour.
 */
export function countLines(glyphs: Glyph[], height: number): number {
  const tall = glyphs.filter((g) => glyphHeight(g) >= LINE.tall * height).sort((a, b) => a.x0 - b.x0);
  const group = tall.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i])));
  for (let i = 0; i < tall.length; i++) {
    for (let j = i + 1; j < tall.length; j++) {
      const a = tall[i],
        b = tall[j];
      const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) + 1;
      if (overlap >= LINE.sameLine * Math.min(glyphHeight(a), glyphHeight(b))) group[root(i)] = root(j);
    }
  }
  let lines = 0;
  for (let i = 0; i < tall.length; i++) if (root(i) === i) lines++;
  return lines;
}

/** Join glyphs that share most of their columns (a 5's lifted bar, a 4 in two strokes), left to right. */
function joinColumns(
  glyphs: Glyph[],
  decisions: string[],
  scale: number,
  apart: (a: Glyph, b: Glyph) => boolean,
): Glyph[] {
  const sorted = [...glyphs].sort((a, b) => a.x0 - b.x0 || a.y0 - b.y0);
  const out: Glyph[] = [];
  for (const g of sorted) {
    let joined = false;
    for (let k = out.length - 1; k >= 0 && k >= out.length - 3; k--) {
      const o = out[k];
      if (apart(o, g)) continue;
      const overlap = Math.min(o.x1, g.x1) - Math.max(o.x0, g.x0) + 1;
      if (overlap >= LINE.sameColumn * Math.min(glyphWidth(o), glyphWidth(g))) {
        out[k] = joinGlyphs(o, g);
        decisions.push(`joined pieces at ${where(o, scale)} and ${where(g, scale)}: they share their columns`);
        joined = true;
        break;
      }
    }
    if (!joined) out.push(g);
  }
  return out.sort((a, b) => a.x0 - b.x0);
}

/** "x 120..180" (source pixels) for decisions. */
export function where(g: Glyph, scale: number): string {
  return `x ${g.x0 * scale}..${(g.x1 + 1) * scale - 1}`;
}
