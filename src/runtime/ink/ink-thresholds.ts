/**
 * Every threshold of ink finding (find.ts, background.ts, fit.ts), in one place: what is background, what is
 * ink, which pieces are specks, and when a picture is worked on at half size. Fractions are of the picture's
 * own measures (the largest piece, the strongest ink), as each comment says. The lines of a sheet or a form
 * have theirs in rule-thresholds.ts; the line reader and the arithmetic rules in ../reader-thresholds.ts.
 * Two numbers stay where they are defined: the least contrast that counts as ink is an option's default
 * (find.ts, DEFAULT_MIN_CONTRAST), and the noise margin of three robust sigmas is the noise's own measure
 * (noise.ts, stats.ts).
 *
 * Shared code: no Node and no DOM imports.
 */

// Background (background.ts)

/** Pictures whose shorter side is below this are single-character crops: too small for lighting to vary. */
export const MIN_SIDE_FOR_LOCAL = 64;
/** Blocks along the longer side: coarse enough to be cheap and to hold more paper than ink. */
export const BLOCKS_ALONG_LONG_SIDE = 24;
/** Smallest block: a block must be wider than the strokes that cross it. */
export const MIN_BLOCK = 16;
/**
 * The paper side of a block is read at this quantile (and 1 - it): ink on the other side does not move it
 * as long as a few percent of the block is paper.
 */
export const PAPER_QUANTILE = 0.95;

// Ink and specks (find.ts)

/**
 * A piece lighter than this fraction of the largest piece's mass is a speck (noise, dust, JPEG blocks). The
 * largest piece counts as one character: one wider than tall only by the mass of a square as tall as it.
 */
export const SPECK_FRACTION = 0.03;
/**
 * ... unless it is a compact mark straight above or below a bar (the dots of a ÷): those are written on
 * purpose and may be far lighter than a digit, so they are measured against their bar. Down to
 * BAR_DOT_FRACTION of the bar's mass (and DOT_FLOOR of the largest piece's), and to BAR_DOT_PEAK of the
 * strong level: a dot is a dab of the pen, paler than the strokes around it.
 */
export const BAR_DOT_FRACTION = 0.02;
export const DOT_FLOOR = 0.002;
export const BAR_DOT_PEAK = 0.5;
/** A piece under this fraction of the tallest piece's height is low enough to be a bar holding one dot. */
export const LOW_BAR = 0.45;
/**
 * A piece is strong when its darkest pixel reaches Otsu's level or this fraction of the picture's strongest
 * ink, whichever is lower: a pen pressed lightly for a quick operator leaves a mark far paler than the
 * digits beside it, and it is still written on purpose.
 */
export const STRONG_FRACTION = 1 / 3;
/**
 * Noise, dust and JPEG blocks leave compact specks; a stroke is long. A strong piece whose longer side
 * reaches STROKE_LENGTH of the largest piece's longer side is a written stroke (a thin, pale minus sign
 * beside heavy digits) down to STROKE_FRACTION of the largest mass.
 */
export const STROKE_LENGTH = 0.3;
export const STROKE_FRACTION = 0.01;
/**
 * A bar lying down (at least BAR_ASPECT times wider than tall) and at least BAR_THICKNESS working pixels
 * thick is a written stroke from BAR_LENGTH of the largest piece's longer side: a small minus sign. Noise and
 * dust leave compact specks, and what is left of a removed line of a sheet is a sliver one or two pixels thin.
 * A quick minus written small is a short, stubby dash: were it a speck, a drawn picture would hand it to the
 * nearest digit's crop.
 */
export const BAR_LENGTH = 0.12;
export const BAR_ASPECT = 2;
export const BAR_THICKNESS = 3;
/**
 * A light piece of a drawn picture is a mark of its own further than APART of each ink piece's height from it
 * (a broken stroke or a rim lies closer) ...
 */
export const APART = 0.1;
/** ... and from this fraction of the largest piece's longer side. */
export const APART_LENGTH = 0.1;
/** How far a speck may sit from ink and still be its rim: this fraction of the ink piece's height, at least 2 px. */
export const ATTACH_FRACTION = 0.08;
/** Least noise margin (levels) under a local background. */
export const MIN_LOCAL_NOISE = 3;
/** In a noisy picture, ink is at least this fraction of the strongest ink's strength. */
export const LOW_FRACTION = 0.12;
/**
 * Pictures whose shorter side reaches this are worked on at half size (2x2 means): characters large
 * enough to matter stay well above the model's 20-pixel box, noise halves, and the work quarters.
 */
export const HALVE_FROM_SIDE = 400;
/** Ink shorter than this at half size (working pixels) is looked at again at full size. */
export const MIN_HALF_HEIGHT = 24;
/**
 * What a removed line leaves behind (its frayed ends, a crumb where two lines met) is no longer than this many
 * times the line's thickness; a picture whose ink is all such crumbs holds nothing written.
 */
export const REMNANT = 4;
/** More ink pieces than this is a page or a busy photo, not one digit or one number. */
export const MAX_INK_PIECES = 60;
/** Ink over more than this fraction of the picture is not a handwritten mark on a background. */
export const MAX_INK_COVER = 0.6;

// Fitting a character (fit.ts)

/** Share of a character's ink pixels at or above its stroke level. */
export const STROKE_SHARE = 0.4;
