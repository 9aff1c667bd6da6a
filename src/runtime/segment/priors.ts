/**
 * What a glyph's shape says about cutting it, before the network reads it: log-probability terms added to
 * the readings' log-probabilities when the line reader chooses between reading a glyph whole and cutting
 * it in two. The network alone is overconfident on half a digit (the left arc of a 0 reads as a fine 6)
 * and happy to squash a touching pair into one digit; width and the ink a cut crosses settle most of those.
 */

/**
 * Single handwritten characters are rarely wider than the line is tall; past that, reading a glyph whole
 * costs WIDE_SLOPE log-probability per character height of extra width, so a touching pair the network
 * would squash into one confident digit is still cut when both sides read well.
 */
const WIDE_FROM = 1.1;
const WIDE_SLOPE = 10;
/**
 * Glyphs narrower than this (in character heights) are rarely two characters, even with a 1 among them:
 * cutting costs SPLIT_SLOPE per character height short of it.
 */
const SPLIT_FROM = 0.7;
const SPLIT_SLOPE = 20;
/**
 * Touching characters meet at a point, so the cheapest cut between them crosses a small fraction of a
 * row's ink, while most cuts through one character cross whole strokes. Cuts dearer than CUT_FREE (in
 * rows' ink, see split.ts) cost CUT_SLOPE per row. This keeps the network's overconfidence on half a
 * digit (the left arc of a 0 reads as a fine 6) from cutting single characters.
 */
const CUT_FREE = 0.22;
const CUT_SLOPE = 15;
/**
 * A glyph alone in the picture is its own measure of height, and a single digit turned or written wide is
 * far more common than a lone touching pair: the width thresholds move up by this much.
 */
const ALONE_SHIFT = 0.25;

/**
 * Log-prior of reading a glyph whole.
 * @param width the glyph's width in character heights.
 * @param alone true when the glyph is the only one in the picture.
 */
export function wholePrior(width: number, alone: boolean): number {
  const shift = alone ? ALONE_SHIFT : 0;
  return -WIDE_SLOPE * Math.max(0, width - WIDE_FROM - shift);
}

/**
 * Log-prior of cutting a glyph in two along a cut.
 * @param width the glyph's width in character heights.
 * @param cutInk ink the cut crosses, in rows' ink (see split.ts).
 * @param alone true when the glyph is the only one in the picture.
 */
export function cutPrior(width: number, cutInk: number, alone: boolean): number {
  const shift = alone ? ALONE_SHIFT : 0;
  return -SPLIT_SLOPE * Math.max(0, SPLIT_FROM + shift - width) - CUT_SLOPE * Math.max(0, cutInk - CUT_FREE);
}

/**
 * Digits stand about as tall as the line; a piece much shorter (the tail of a 5 cut off, the lifted bar of a
 * 5 on its own, a blob where a stroke ends) is part of a character. Reading such a piece as a digit costs
 * SHORT_SLOPE per character height short of SHORT_FROM, which leaves the join or the whole reading to win.
 * Operators are short by nature and are not asked about.
 */
const SHORT_FROM = 0.55;
const SHORT_SLOPE = 12;

/**
 * Log-prior of reading a piece of ink as a digit.
 * @param height the piece's ink height in character heights.
 */
export function digitHeightPrior(height: number): number {
  return -SHORT_SLOPE * Math.max(0, SHORT_FROM - height);
}

/**
 * Width speaks for cutting only when a touching pair is wider than a character, and a 1 touching its
 * neighbour is not. What a cut through one character leaves is mostly a short piece (the tail of a 5, the
 * bottom of an 8), while the two sides of a touching pair both stand the full height of the line. A cut
 * whose sides are both at least TALL_SIDE character heights earns TALL_PAIR_BONUS, enough to outweigh the
 * cost of the extra character when the network reads both sides as well as the whole.
 */
const TALL_PAIR_BONUS = 1;
const TALL_SIDE = 0.85;

/** The bonus needs the network to read both sides at least this well: halves of a 0 read as a weak 1 and 7. */
const SURE_SIDE = 0.9;

/**
 * Log-prior bonus of a cut for its two sides.
 * @param leftHeight the left side's ink height, in character heights (the same for `rightHeight`).
 * @param leastProbability the lower of the two sides' best probabilities.
 */
export function sidesPrior(leftHeight: number, rightHeight: number, leastProbability: number): number {
  return leftHeight >= TALL_SIDE && rightHeight >= TALL_SIDE && leastProbability >= SURE_SIDE ? TALL_PAIR_BONUS : 0;
}
