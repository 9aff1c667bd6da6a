/**
 * Which neighbouring glyphs might be pieces of one character (a broken 0, a 5 whose bar floats beside
 * it): close together and, joined, no wider than a character. Whether they are is the network's call.
 */
import { glyphHeight, glyphWidth, joinGlyphs, xGap, type Glyph } from './glyph.js';

/** Glyphs further apart than this fraction of the character height are separate characters. */
const MERGE_GAP = 0.15;
/** Joined, two pieces of one character are at most this many character heights wide. */
const MERGE_MAX_WIDTH = 1.1;

/**
 * The joined glyph when `a` and `b` (left to right neighbours) may be one character, else null.
 * @param height the line's character height.
 */
export function mergeCandidate(a: Glyph, b: Glyph, height: number): Glyph | null {
  if (xGap(a, b) > MERGE_GAP * height) return null;
  const joined = joinGlyphs(a, b);
  if (glyphWidth(joined) > MERGE_MAX_WIDTH * height) return null;
  // Two full-size characters are not pieces of one, however close.
  const full = (g: Glyph) => glyphHeight(g) >= 0.8 * height && glyphWidth(g) >= 0.45 * height;
  if (full(a) && full(b)) return null;
  return joined;
}
