/**
 * Every threshold of the line reader and the arithmetic reader rules, in one place: what the network cannot
 * know from a 28x28 crop (a piece's size and place in the line, how much ink a cut crosses) and what keeps
 * the over-segmentation small enough to read in one batch. Lengths are in character heights (the line's
 * typical character height, segment/line.ts) unless said otherwise; log-probability terms are added to the
 * network's log-probabilities. Ink finding keeps its own in ink/ink-thresholds.ts, the lines of a sheet or a
 * form in ink/rule-thresholds.ts.
 *
 * Shared code: no Node and no DOM imports.
 */

/** How many characters a picture clearly holds, without the network (segment/count.ts): a hint, not a reading. */
export const COUNT = {
  /** Two neighbours closer than this may be one broken character. */
  clearGap: 0.15,
  /**
   * A character breaks into two tall pieces at most (a 4 whose strokes do not meet, the halves of a 0): among
   * three or more, digits written close together (a form field) are parted by this smaller gap.
   */
  closeGap: 0.06,
  /** Glyphs at least this tall count as characters. */
  tall: 0.5,
} as const;

/** The line: its height, rules and dots, how many lines the marks form (segment/line.ts). */
export const LINE = {
  /** Pieces at least this fraction of the heaviest piece's mass set the line's character height. */
  bigMass: 0.2,
  /** A dot: both sides under this many character heights. */
  dotSide: 0.25,
  /**
   * ... unless, for a model that reads operators, it is this many times wider than tall (a short minus sign)
   * or its middle lies within `signBand` of the line's middle (a small + or ÷). For such a model a mark this
   * flat within `signBand` of the middle is also never joined to a tall glyph sharing its columns.
   */
  flatMark: 2,
  signBand: 0.15,
  /**
   * A mark at most `signHeight` tall within `signBand` of the line's middle is no piece of the tall glyph
   * sharing its columns when their inks come no nearer than `signClear` (character heights), for such a model.
   */
  signHeight: 0.6,
  signClear: 0.05,
  /** A rule (underline, strike): wider than this many character heights ... */
  ruleMinWidth: 1.2,
  /** ... and thinner than this. */
  ruleMaxHeight: 0.25,
  /**
   * A margin line (or a sheet's fold or edge): a piece taller than this many character heights and at least
   * `marginSlender` times taller than wide. No character stands twice as tall as the line's others.
   */
  marginMinHeight: 2,
  marginSlender: 8,
  /** For a model that reads digits only, a lone mark this many times wider than tall is a line to write on. */
  loneLine: 8,
  /**
   * An operator written alone (segment/line.ts, signAlone): its one or two bars are at least `flatSign` times
   * longer than thick, and at least `barColumns` of their columns are solid, ink over `barFill` of the rows
   * between their first and last ink (a run of touching digits is as flat, but its columns cross two strokes
   * and a hole); a ÷'s dots are at most `signDot` of the
   * bar's length either way; two bars share at least `barsShared` of the shorter one's columns (an =, not two
   * dashes side by side); and the whole sign is at most `signStack` of that length tall (an = or a ÷; bars
   * further apart are lines).
   */
  flatSign: 4,
  barColumns: 0.9,
  barFill: 0.75,
  signDot: 0.4,
  barsShared: 0.5,
  signStack: 0.75,
  /** Pieces at least this tall decide how many lines there are. */
  tall: 0.5,
  /** Two tall pieces overlapping vertically by this fraction of the shorter one are on one line. */
  sameLine: 0.3,
  /** Two glyphs overlapping by this fraction of the narrower one's width are one character. */
  sameColumn: 0.5,
} as const;

/** How a character's ink lies in rows, which tells `=` and `÷` from `-` (segment/bars.ts). Shares of ink. */
export const BARS = {
  /** A row holding at least this share of the inkiest row's ink belongs to a bar. */
  barRow: 0.5,
  /** Between two bars, some row must hold at most this share of the inkiest row's ink. */
  gapRow: 0.3,
  /** A mark besides the heaviest counts when its middle lies this far (share of the crop's width) from either side or more. */
  markSide: 0.25,
} as const;

/** Candidate cuts through a glyph that may be touching characters (segment/split.ts). */
export const CUTS = {
  /** Glyphs at least this wide may be two characters. */
  minWidth: 0.6,
  /** Each side of a cut keeps at least this much width. */
  minSide: 0.15,
  /** A cut's path may drift this far either side of its starting column. */
  band: 0.3,
  /** Cost of a diagonal step of a path, in ink strength levels: paths prefer to go straight down. */
  driftCost: 4,
  /** Fractions of the glyph's width where paths start besides the ink profile's dips. */
  fixedStarts: [0.5, 0.35, 0.65],
  /** Cut candidates tried per glyph from the profile's dips and the fixed starts. */
  maxCandidates: 4,
  /** Glyphs at least this wide (room for two characters and more) ... */
  gridFrom: 0.9,
  /** ... get paths held to a narrow band, starting every this many character heights across the glyph, ... */
  startStep: 0.25,
  /** ... free to drift this far either side ... */
  narrowBand: 0.08,
  /** ... up to this many more candidates. */
  maxNarrow: 8,
  /**
   * A glyph's pieces are parted between them (split.ts, pieceCuts) when they stand side by side: the rows
   * holding ink of both sides are at least this fraction of the rows of the side holding fewer.
   */
  sideBySide: 0.5,
  /** Paths between pieces tried per glyph, the first in order of the pieces' middles. */
  maxPieceCuts: 4,
} as const;

/** Neighbouring glyphs that may be pieces of one character (segment/merge.ts). */
export const MERGES = {
  /** Glyphs further apart than this are separate characters. */
  gap: 0.15,
  /** Joined, pieces of one character are at most this wide (in the larger of the line's and their own height). */
  maxWidth: 1.1,
  /** A piece at most this tall is low: a bar or a tail, no character of its own. */
  low: 0.4,
  /** Joined with a low piece over its columns, a character may be this wide. */
  lowMaxWidth: 1.8,
  /** Pieces at least this tall are tall ... */
  tall: 0.75,
  /** ... and tall pieces further apart than this are separate characters (a 1 beside a 9). */
  tallGap: 0.04,
} as const;

/** Shape priors: log-probability terms for what the fitted crop hides (segment/priors.ts). */
export const PRIORS = {
  /** A glyph wider than this many character heights holds touching characters for sure (alternative cuts). */
  wideFrom: 1.1,
  /** Cutting a glyph narrower than this costs `splitSlope` per character height short of it. */
  splitFrom: 0.7,
  splitSlope: 20,
  /** A cut crossing more than this (rows' ink, split.ts) costs `cutSlope` per row beyond it. */
  cutFree: 0.22,
  cutSlope: 5,
  /** For a glyph alone in the picture, the width thresholds move up by this much. */
  aloneShift: 0.25,
  /** A piece shorter than this read as a digit costs `shortSlope` per character height short of it. */
  shortFrom: 0.55,
  shortSlope: 12,
  /** Cutting a lone glyph whose two sides both stand this tall and read at least `sureSide` earns `tallPairBonus`. */
  tallSide: 0.85,
  sureSide: 0.9,
  tallPairBonus: 1,
  /**
   * A glyph (not a piece cut out of one) the network reads alone as a sign (an operator) with at least
   * `sureSign`, at most `sureSignHeight` tall and within `sureSignBand` of the line's middle, costs
   * `signInDigit` when a span takes it into a digit. (Not `LINE`'s sign thresholds: those decide which small
   * marks stand apart from a tall glyph before anything is read.)
   */
  sureSign: 0.5,
  sureSignHeight: 0.4,
  sureSignBand: 0.2,
  signInDigit: -1.5,
  /** A piece read as an operator whose middle lies further than `operatorBand` from the line's middle costs `operatorOffMiddle`. */
  operatorBand: 0.35,
  operatorOffMiddle: -3,
} as const;

/** The line reader's search (read-line.ts). */
export const READER = {
  /** Each character read costs this log-probability, so two characters must be clearly better than one. */
  characterPenalty: Math.log(0.97),
  /** Cuts whose shape prior is below this are not worth the network's time. */
  hopelessCut: -12,
  /** Cuts kept per glyph that stay clear of one another on every row, the cheapest (segment/split.ts, keptCuts). */
  maxClearCuts: 4,
  /**
   * Cuts through ink kept in all per glyph wider than one character is written (touching characters for sure):
   * besides the clear ones, alternatives that cross or come closer than `cutClearance` to them on some row, of
   * which a reading takes at most one. Paths between a glyph's pieces come on top (CUTS.maxPieceCuts).
   */
  maxCutsPerGlyph: 6,
  /** Two cuts of one reading stay this far apart on every row. */
  cutClearance: 0.15,
  /** A character is read from at most this many neighbouring glyphs joined (a broken one). */
  maxJoinedGlyphs: 4,
  /**
   * A glyph alone in the picture is cut only into pieces at least this tall, unless the network reads the
   * glyph whole as not one character: then each shorter piece costs `aloneShortPiece`.
   */
  alonePairSide: 0.7,
  aloneShortPiece: -2,
  /** The score of a reading the rules rule out, low enough never to win against a real one. */
  ruledOut: -50,
} as const;

/** The arithmetic reader rules, relative to the line's digit height (expression-reader.ts). */
export const ARITHMETIC = {
  /** A mark this much wider than tall is a bar lying down (`-`), never a `1`. */
  flatAspect: 1.6,
  /** A mark this much taller than wide is standing (`1`), never a `-`. */
  tallAspect: 1.6,
  /** Marks smaller than this in both directions are small: dots, specks, small operators. */
  small: 0.35,
  /** Two flat marks overlapping over this fraction of the narrower one's columns are stacked (`=`). */
  stackOverlap: 0.5,
  /** Marks under this fraction of the tallest are left out of the digit height. */
  digitBasis: 0.5,
  /** A small mark within this distance of the line's middle sits in its middle band. */
  middleBand: 0.35,
  /** Bars and the marks that make them `÷` or `=`: at most this tall. */
  barHeight: 0.5,
  /** Two touching dashes joined stand at least this tall for their width when they held a `÷`'s dots. */
  dividerAspect: 0.5,
  /** A `÷`'s dots lie over its bar's columns, give or take this fraction of the bar's width. */
  dotColumns: 0.1,
  /** A `÷`'s dots lie within this distance of its bar's middle, vertically. */
  dotReach: 0.7,
  /** An `=` this tall and not flat is a digit. */
  tallEquals: 0.8,
  /** A small mark whose best operator has at least this probability is that operator. */
  smallOperator: 0.2,
  /** A `÷` whose ink shows no dot apart from its bar is a `+` when the network gives `+` this much. */
  plusWithoutDots: 0.2,
  /** A round mark under this size in both directions, belonging to no bar, is a speck. */
  speck: 0.2,
  /** Of two operators in a row, one read with less than this probability is a stray mark. */
  doubtfulOperator: 0.9,
} as const;

/**
 * When and how a character the network is unsure of is looked at again, in `predict` and the line reader alike
 * (second-look.ts): writers differ most in slant and width, so a reading under `sureReading` (a crop of the
 * line reader) or `surePicture` (a picture `predict` reads) is averaged with the readings of the character
 * sheared by each of `slantViews` (columns per row, positive leaning it further right) and stretched along its
 * rows by each of `widthViews` (a narrow hand leaves a 7's arm or a 6's bowl too short to tell; a wide one
 * flattens them). `predict` looks at fewer pictures than the reader looks at crops: a picture is one reading
 * where a line is many in one batch, and `predict`'s speed is a target of its own (BENCHMARKS.md, Predict).
 */
export const SECOND_LOOK = {
  sureReading: 0.99,
  surePicture: 0.95,
  slantViews: [-0.2, 0.2] as readonly number[],
  widthViews: [1.35, 0.75] as readonly number[],
} as const;
