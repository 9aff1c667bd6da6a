/**
 * Every threshold of the rule finder (rules.ts, rule-course.ts, boxes.ts), in one place.
 * - STRIP: the length (px) over which a line must fill a row of its strip; a line may drift one pixel in it.
 * - FILL: the share of a strip's row a line fills (ink faded by compression leaves holes).
 * - MIN_STRIPS: a candidate spans at least this many strips.
 * - MIN_LENGTH: no line is shorter (px); a picture smaller than this both ways (an MNIST digit) has none.
 * - STEP: how far (px) a line's course may move from one strip to the next.
 * - MAX_THICKNESS: a line is at most this thick (px), and at most THIN of the character height.
 * - PEN_THICKNESS, PEN_THIN: when no line that thin is found, lines up to this thick (px) are looked for once
 *   more: a pen's underline (at most THIN of the character height, or PEN_THIN when it reaches past the writing
 *   at both ends by its own thickness, as under small writing), lying along at least
 *   PEN_SPAN of the writing's width (a minus sign run into a digit's base also makes a thick straight run);
 *   only looked for when some row holds a run of ink PEN_RUN px long.
 * - H_LENGTH, V_LENGTH: a horizontal (vertical) line is at least this many character heights long; a `1` is
 *   about one character height, an underline of two digits about two, a minus sign under one.
 * - SPAN: a line across this share of the picture is a line of the sheet when nothing else decides.
 * - CORNER: how near (in thicknesses, plus 3 px) a vertical line's ends come to a horizontal line's ends
 *   to be the side of a box.
 * - INK_LEVEL: pixels at this fraction of the strongest ink count when looking for lines (light printed lines
 *   are far paler than the writing).
 * - COVERED: ink lies on a line's course over at least this share of its length (the tops of a row of
 *   digits line up too, but with paper between them).
 * - STRAIGHT: a line strays from a straight course by at most this share of its length (root mean square).
 * - OWN_RUNS: the line's thickness is this quantile of the runs of ink across it.
 * - TOUCH: writing touching a line from one side keeps the line's pixels there over at most this many
 *   character heights along it.
 * - BESIDE: a horizontal line over the writing's middle that is neither a box's nor across the picture
 *   must reach this many character heights past the writing.
 * - SLENDER: a line is at least this many times longer than it is thick.
 * - GAP_STRIPS: a chain of strips may skip this many strips where writing sits on the line and thickens it.
 * - PALE: a line whose own ink is at most this share of the strongest ink is printed paler than the writing
 *   (a sheet's ruling, a form's tinted box); pen over it is told apart by its strength.
 * - DARKER: on a pale line, a pixel this far (share of the way) from the line's own strength to the
 *   strongest ink is pen over the line, and stays.
 * - TWIN_GAP: beside a pale line, a run of ink no thicker than it and as pale, with paper on both sides of it
 *   and at most this many pixels of paper between them, is its twin (a margin is often ruled double, and at
 *   the working size the two lines run so close that one course is found for both); it goes too.
 * - CELLS, WALL_REACH: a form's comb (a row of boxes, one per character) has walls from its top to its bottom
 *   whose ends lie within WALL_REACH px (plus the lines' thickness) of both, that lean as its sides do (within
 *   WALL_REACH px end to end), and that cut it into cells equal within CELLS of their typical width.
 *
 * Shared code: no Node and no DOM imports.
 */
export const STRIP = 8;
export const FILL = 0.8;
export const MIN_STRIPS = 3;
export const MIN_LENGTH = 30;
export const STEP = 2;
export const MAX_THICKNESS = 6;
export const PEN_THICKNESS = 12;
export const PEN_SPAN = 0.6;
export const PEN_THIN = 0.25;
export const PEN_RUN = 2 * MIN_LENGTH;
export const THIN = 0.15;
export const H_LENGTH = 1.4;
export const V_LENGTH = 1.6;
export const SPAN = 0.9;
export const CORNER = 3;
export const INK_LEVEL = 0.06;
export const GAP_STRIPS = 3;
export const SLENDER = 10;
export const COVERED = 0.85;
export const OWN_RUNS = 0.2;
export const TOUCH = 0.25;
export const BESIDE = 0.5;
export const STRAIGHT = 0.025;
export const PALE = 0.5;
export const DARKER = 0.5;
export const TWIN_GAP = 3;
export const CELLS = 0.15;
export const WALL_REACH = 2;
