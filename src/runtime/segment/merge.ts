/**
 * Which neighbouring glyphs might be pieces of one character (a broken 0, a 5 whose bar floats beside
 * it): close together and, joined, no wider than a character. Whether they are is the network's call.
 */
import { glyphHeight, glyphWidth, joinGlyphs, xGap, type Glyph } from './glyph.js';

/** Glyphs further apart than this fraction of the character height are separate characters. */
const MERGE_GAP = 0.15;
/** Joined, two pieces of one character are at most this many character heights wide. */
const MERGE_MAX_WIDTH = 1.1;
/** A piece at most this fraction of the character height is low: a bar or a tail, no character of its own. */
const LOW = 0.4;
/** Joined with a low piece over its columns, a character may be this many character heights wide. */
const LOW_MAX_WIDTH = 1.8;
/** Pieces at least this fraction of the character height are tall. */
const TALL = 0.75;
/** Tall pieces further apart than this fraction of the character height are separate characters. */
const TALL_GAP = 0.04;

/**
 * The joined glyph when `a` and `b` (left to right neighbours) may be one character, else null.
 * @param height the line's character height.
 */
export function mergeCandidate(a: Glyph, b: Glyph, height: number): Glyph | null {
  // Two pieces of full height (the halves of a broken 0) must nearly touch to be one character: a 1 next
  // to a 9 is also two tall pieces close together.
  const tall = glyphHeight(a) >= TALL * height && glyphHeight(b) >= TALL * height;
  if (xGap(a, b) > (tall ? TALL_GAP : MERGE_GAP) * height) return null;
  const joined = joinGlyphs(a, b);
  // A bar lifted above a 5 makes the joined character taller than the line's typical one: its own height
  // is the measure then. A low piece over or under its neighbour's columns (a 5's bar drawn on far to the
  // right) may make it wider still.
  const low = Math.min(glyphHeight(a), glyphHeight(b)) <= LOW * height && xGap(a, b) < 0;
  if (glyphWidth(joined) > (low ? LOW_MAX_WIDTH : MERGE_MAX_WIDTH) * Math.max(height, glyphHeight(joined))) return null;
  return joined;
}
