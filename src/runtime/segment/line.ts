/**
 * One line of handwriting, model-free: the line's character height, underlines and dots set aside, the
 * check that the marks form one line, and the pieces of one character that overlap in x joined. What is
 * left is a left-to-right list of glyphs for the network-guided merges and splits.
 */
import type { InkMap } from '../ink/find.js';
import { glyphHeight, glyphOf, glyphWidth, joinGlyphs, type Glyph } from './glyph.js';

/** The marks of a picture as one line of glyphs. */
export interface LineFound {
  ok: true;
  /** Left to right. */
  glyphs: Glyph[];
  /** Typical character height in source pixels. */
  height: number;
  /** What was set aside or joined, one line each. */
  decisions: string[];
}

/** Why the marks are not one line of characters. */
export interface LineRefusal {
  ok: false;
  reason: 'not-one-line' | 'too-many-characters';
  message: string;
}

/** Knobs of {@link findLine}. */
export interface LineOptions {
  /** Most characters a line may hold. Default 12. */
  maxCharacters?: number;
}

/** Default of {@link LineOptions.maxCharacters}: more marks than this is not a number. */
export const DEFAULT_MAX_CHARACTERS = 12;
/** Marks beyond the character limit, as a fraction of it, that may still be pieces of characters. */
const MARK_SLACK = 0.25;
/** Pieces at least this fraction of the heaviest piece's mass set the line's character height. */
const BIG_MASS = 0.2;
/** A dot: both sides under this fraction of the character height. */
const DOT_SIDE = 0.25;
/** A rule (underline, strike): wider than this many character heights ... */
const RULE_MIN_WIDTH = 1.2;
/** ... and thinner than this fraction of one. */
const RULE_MAX_HEIGHT = 0.25;
/** Pieces at least this fraction of the character height decide how many lines there are. */
const TALL = 0.5;
/** Two glyphs overlapping by this fraction of the narrower one's width are one character. */
const SAME_COLUMN = 0.5;

/**
 * Group the ink of `map` into one line of glyphs, or say why it is not one line.
 */
export function findLine(map: InkMap, options: LineOptions = {}): LineFound | LineRefusal {
  const maxChars = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  const decisions: string[] = [];
  let glyphs = map.ink.map(glyphOf);
  // Broken characters make pieces shorter than characters: this first height only serves to spot rules.
  let height = characterHeight(glyphs);

  const rules = glyphs.filter(
    (g) => glyphWidth(g) > RULE_MIN_WIDTH * height && glyphHeight(g) < RULE_MAX_HEIGHT * height,
  );
  if (rules.length) {
    glyphs = glyphs.filter((g) => !rules.includes(g));
    decisions.push(
      `ignored ${rules.length} rule${rules.length > 1 ? 's' : ''} (underline or strike) at ${rules.map((g) => where(g, map.scale)).join(', ')}`,
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

  glyphs = joinColumns(glyphs, decisions, map.scale);
  height = characterHeight(glyphs);

  const dots = glyphs.filter((g) => glyphWidth(g) < DOT_SIDE * height && glyphHeight(g) < DOT_SIDE * height);
  if (dots.length) {
    glyphs = glyphs.filter((g) => !dots.includes(g));
    decisions.push(
      `ignored ${dots.length} dot${dots.length > 1 ? 's' : ''} at ${dots.map((g) => where(g, map.scale)).join(', ')}`,
    );
  }
  // A character may still be in two pieces here (a 4 or a × in two strokes, joined by the reader later):
  // marks are refused only well past the limit, and the reader checks the characters it read.
  const maxMarks = maxChars + Math.ceil(maxChars * MARK_SLACK);
  if (glyphs.length > maxMarks) {
    return {
      ok: false,
      reason: 'too-many-characters',
      message: `too many characters: found ${glyphs.length} separate marks in the line, a line holds at most ${maxChars} characters`,
    };
  }
  return { ok: true, glyphs, height, decisions };
}

/** Median height of the heavy pieces: broken strokes and dots are light and do not drag it down. */
export function characterHeight(glyphs: Glyph[]): number {
  let heaviest = 0;
  for (const g of glyphs) if (g.mass > heaviest) heaviest = g.mass;
  const hs = glyphs
    .filter((g) => g.mass >= BIG_MASS * heaviest)
    .map(glyphHeight)
    .sort((a, b) => a - b);
  return hs.length ? hs[hs.length >> 1] : 1;
}

/**
 * Lines = groups of tall glyphs linked by vertical overlap, so a line written on a slant still chains
 * from neighbour to neighbour.
 */
export function countLines(glyphs: Glyph[], height: number): number {
  const tall = glyphs.filter((g) => glyphHeight(g) >= TALL * height).sort((a, b) => a.x0 - b.x0);
  const group = tall.map((_, i) => i);
  const root = (i: number): number => (group[i] === i ? i : (group[i] = root(group[i])));
  for (let i = 0; i < tall.length; i++) {
    for (let j = i + 1; j < tall.length; j++) {
      const a = tall[i],
        b = tall[j];
      const overlap = Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0) + 1;
      if (overlap >= 0.3 * Math.min(glyphHeight(a), glyphHeight(b))) group[root(i)] = root(j);
    }
  }
  let lines = 0;
  for (let i = 0; i < tall.length; i++) if (root(i) === i) lines++;
  return lines;
}

/** Join glyphs that share most of their columns (a 5's lifted bar, a 4 in two strokes), left to right. */
function joinColumns(glyphs: Glyph[], decisions: string[], scale: number): Glyph[] {
  const sorted = [...glyphs].sort((a, b) => a.x0 - b.x0 || a.y0 - b.y0);
  const out: Glyph[] = [];
  for (const g of sorted) {
    let joined = false;
    for (let k = out.length - 1; k >= 0 && k >= out.length - 3; k--) {
      const o = out[k];
      const overlap = Math.min(o.x1, g.x1) - Math.max(o.x0, g.x0) + 1;
      if (overlap >= SAME_COLUMN * Math.min(glyphWidth(o), glyphWidth(g))) {
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
