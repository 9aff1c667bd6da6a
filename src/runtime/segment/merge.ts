/**
 * Which neighbouring glyphs might be pieces of one character (a broken 0, a 5 whose bar floats beside
 * it): close together and, joined, no wider than a character. Whether they are is the network's call.
 */
import { glyphHeight, glyphWidth, joinGlyphs, xGap, type Glyph } from './glyph.js';
import { MERGES } from '../reader-thresholds.js';

/**
 * The joined glyph when `a` and `b` (left to right neighbours) may be one character, else null.
 * @param height the line's character height.
 */
export function mergeCandidate(a: Glyph, b: Glyph, height: number): Glyph | null {
  // Two pieces of full height (the halves of a broken 0) must nearly touch to be one character: a 1 next
  // to a 9 is also two tall pieces close together.
  const tall = glyphHeight(a) >= MERGES.tall * height && glyphHeight(b) >= MERGES.tall * height;
  if (xGap(a, b) > (tall ? MERGES.tallGap : MERGES.gap) * height) return null;
  const joined = joinGlyphs(a, b);
  // A bar lifted above a 5 makes the joined character taller than the line's typical one: its own height
  // is the measure then. A low piece over or under its neighbour's columns (a 5's bar drawn on far to the
  // right) may make it wider still.
  const low = Math.min(glyphHeight(a), glyphHeight(b)) <= MERGES.low * height && xGap(a, b) < 0;
  if (glyphWidth(joined) > (low ? MERGES.lowMaxWidth : MERGES.maxWidth) * Math.max(height, glyphHeight(joined)))
    return null;
  return joined;
}
