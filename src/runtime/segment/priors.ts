/**
 * What a piece's shape says, before the network reads it: log-probability terms added to the readings'
 * log-probabilities when the line reader chooses its path through the pieces. The 28x28 crop the network
 * sees hides a piece's size in the line and how wide its glyph stands; the ink a cut crosses is measured on
 * the picture itself. The thresholds are in reader-thresholds.ts (PRIORS).
 */
import { PRIORS } from '../reader-thresholds.js';

/**
 * Width in character heights beyond which a glyph holds touching characters for sure, so the line reader
 * gives it alternative cuts (segment/split.ts, keptCuts). How wide one character may be read is the network's
 * call: its "not one character" output refuses a crop of two.
 * @param alone true when the glyph is the only one in the picture (a single digit turned or written wide is
 *   far more common than a lone touching pair).
 */
export function widestCharacter(alone: boolean): number {
  return PRIORS.wideFrom + (alone ? PRIORS.aloneShift : 0);
}

/**
 * Log-prior of cutting a glyph along a cut: narrow glyphs are rarely two characters, and touching characters
 * meet at a point, so the cheapest cut between them crosses little ink while a cut through one character
 * crosses whole strokes.
 * @param width the glyph's width in character heights.
 * @param cutInk ink the cut crosses, in rows' ink (see split.ts).
 * @param alone true when the glyph is the only one in the picture.
 */
export function cutPrior(width: number, cutInk: number, alone: boolean): number {
  const shift = alone ? PRIORS.aloneShift : 0;
  return (
    -PRIORS.splitSlope * Math.max(0, PRIORS.splitFrom + shift - width) -
    PRIORS.cutSlope * Math.max(0, cutInk - PRIORS.cutFree)
  );
}

/**
 * Log-prior of reading a piece of ink as a digit: digits stand about as tall as the line, and a much shorter
 * piece (a 5's lifted bar, a cut-off tail) is part of a character. Operators are short by nature and are not
 * asked about.
 * @param height the piece's ink height in character heights.
 */
export function digitHeightPrior(height: number): number {
  return -PRIORS.shortSlope * Math.max(0, PRIORS.shortFrom - height);
}
