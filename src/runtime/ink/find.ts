/**
 * Ink finding: which pixels of a picture are marks, how strong each is, and which connected pieces they
 * form. The background is removed locally where the light is uneven, the noise is measured on what is
 * left, ink polarity is decided by which side of the background carries more mass, pieces are 8-connected
 * regions above the noise, and a piece counts as ink only when it is strong (Otsu) and not a speck next
 * to the largest piece (taken as one character: a run of touching characters is no measure of one). Specks
 * close to ink stay with that ink: they are its broken anti-aliased rim.
 *
 * Shared code: the single-digit preprocessing and the line reader both start here.
 */
import { backgroundGrid, borderStats, isFlat, subtractGrid } from './background.js';
import { labelComponents, type InkComponent } from './components.js';
import { checkImage, type GrayImage } from './image.js';
import { inkIsDark, levelNoise, levelsInkIsDark, NOISE_SUBSAMPLE_ABOVE, residualNoise } from './noise.js';
import { acrossPicture, removeRules, type RuledLine } from './rules.js';
import {
  SPECK_FRACTION,
  BAR_DOT_FRACTION,
  DOT_FLOOR,
  BAR_DOT_PEAK,
  LOW_BAR,
  STRONG_FRACTION,
  STROKE_LENGTH,
  STROKE_FRACTION,
  BAR_LENGTH,
  BAR_ASPECT,
  BAR_THICKNESS,
  APART,
  APART_LENGTH,
  ATTACH_FRACTION,
  MIN_LOCAL_NOISE,
  LOW_FRACTION,
  HALVE_FROM_SIDE,
  MIN_HALF_HEIGHT,
  REMNANT,
  MAX_INK_PIECES,
  MAX_INK_COVER,
} from './ink-thresholds.js';
import { otsuOfHistogram } from './threshold.js';

export type { InkComponent } from './components.js';

/** The ink of a picture, ready for cropping and segmentation. */
export interface InkMap {
  /** Size of the working picture: the source's, or half of it for large pictures (see `scale`). */
  width: number;
  height: number;
  /** Source pixels per working pixel (1 or 2); boxes in the map are in working pixels. */
  scale: number;
  /** Ink strength above the noise floor per pixel, whatever the source polarity; 0 = background. */
  strength: Float32Array;
  /** Component label per pixel (0 = background), indexing `pieces[label - 1]`. */
  labels: Int32Array;
  /** Every connected piece above the noise, ink or not. */
  pieces: InkComponent[];
  /** The pieces that are ink (strong and not specks), top to bottom then left to right. */
  ink: InkComponent[];
  /**
   * Per label: the label of the ink piece it belongs to (itself for ink, the nearby ink piece for an
   * attached speck), or 0 for a dropped speck.
   */
  owner: Int32Array;
  /** True when the source had dark ink on a light background. */
  inverted: boolean;
  /** Background level along the picture's border, 0..255. */
  background: number;
  /** True when the light was even enough for one background level. */
  flatBackground: boolean;
  /** Noise margin subtracted from every pixel (3 robust sigmas). */
  noise: number;
  /** Strongest ink. */
  peak: number;
  /** The lines of a sheet or a form found and taken out before the ink was grouped (ink/rules.ts), in working pixels. */
  rules: RuledLine[];
}

/** Why a picture holds no usable ink. */
export type InkRefusal =
  | {
      ok: false;
      reason: 'no-ink';
      message: string;
      /** Lines of a sheet or a form removed, in source pixels. */ rules?: RuledLine[];
    }
  | { ok: false; reason: 'too-much-ink'; message: string };

/** Result of {@link findInk}. */
export type FindInkResult = { ok: true; map: InkMap } | InkRefusal;

/** Knobs of {@link findInk}. */
export interface InkOptions {
  /** Least difference between ink and background (0..255 levels) for a picture to count as holding ink. Default 32. */
  minContrast?: number;
}

/** Default of {@link InkOptions.minContrast}. */
export const DEFAULT_MIN_CONTRAST = 32;
/**
 * Find the ink of a grayscale picture (see the file comment).
 * @throws RangeError when `img` is malformed.
 */
export function findInk(img: GrayImage, options: InkOptions = {}): FindInkResult {
  return findInkWith(img, options, null);
}

/**
 * The lines of a sheet or a form that ink finding takes out of `img` (ink/rules.ts), in the picture's own
 * pixels: what a debug view draws to show what was removed.
 * @throws RangeError when `img` is malformed.
 */
export function findSheetLines(img: GrayImage, options: InkOptions = {}): RuledLine[] {
  checkImage(img, 'findSheetLines');
  const found = findInkWith(img, options, null);
  const lines: RuledLine[] = [];
  if (found.ok) {
    for (const l of found.map.rules) lines.push(scaled(l, found.map.scale));
  } else if (found.reason === 'no-ink' && found.rules) {
    lines.push(...found.rules);
  }
  return lines;
}

/**
 * {@link findInk}, with the map's per-pixel arrays (`strength`, `labels`) in buffers that the next call of this
 * function reuses: for a caller that is done with the map before it finds ink again (preprocess), so that
 * picture after picture allocates no new picture-sized arrays. Results are those of findInk.
 * @throws RangeError when `img` is malformed.
 */
export function findInkTransient(img: GrayImage, options: InkOptions = {}): FindInkResult {
  return findInkWith(img, options, transient);
}

function findInkWith(img: GrayImage, options: InkOptions, ws: Workspace | null): FindInkResult {
  checkImage(img, 'findInk');
  if (Math.min(img.width, img.height) < HALVE_FROM_SIDE) return findInkAt(img, 1, options, ws);
  // The half-size picture is not part of the map, so it always goes in a reused buffer.
  const half = findInkAt(halve(img, transient), 2, options, ws);
  // Small writing on a large picture would lose its strokes at half size: find it again at full size.
  // (The half-size map is dropped here, so the full-size pass may reuse its buffers.)
  if (half.ok && tallest(half.map.ink) < MIN_HALF_HEIGHT) return findInkAt(img, 1, options, ws);
  return half;
}

/** Level histogram of the even-picture path of findInkAt, all zero between pictures. */
const LEVELS = new Uint32Array(256);

/** Pictures larger than this (pixels) get arrays of their own even in a workspace, which keeps no huge buffers alive. */
const WORKSPACE_MAX_PIXELS = 4_000_000;

/** Picture-sized buffers lent out by {@link findInkTransient} (and for the half-size picture), grown when a larger picture comes. */
class Workspace {
  private f32 = new Float32Array(0);
  private i32 = new Int32Array(0);
  private u8 = new Uint8Array(0);

  /** `n` floats, contents undefined. */
  floats(n: number): Float32Array {
    if (n > WORKSPACE_MAX_PIXELS) return new Float32Array(n);
    if (this.f32.length < n) this.f32 = new Float32Array(n);
    return this.f32.subarray(0, n);
  }

  /** `n` zeroed ints. */
  zeroedInts(n: number): Int32Array {
    if (n > WORKSPACE_MAX_PIXELS) return new Int32Array(n);
    if (this.i32.length < n) this.i32 = new Int32Array(n);
    const a = this.i32.subarray(0, n);
    a.fill(0);
    return a;
  }

  /** `n` bytes, contents undefined. */
  bytes(n: number): Uint8Array {
    if (n > WORKSPACE_MAX_PIXELS) return new Uint8Array(n);
    if (this.u8.length < n) this.u8 = new Uint8Array(n);
    return this.u8.subarray(0, n);
  }
}

const transient = new Workspace();

/** Otsu's histogram of the ink strengths, filled by the labelling pass. */
const OTSU_LEVELS = new Float64Array(256);

/**
 * Turn `residual` (times `sign`, so ink is positive) into ink strength above `noise` in place: the excess,
 * or 0 where there is none. Returns the strongest excess, as computed (before it is stored as a float).
 * The polarity is a factor rather than a test per pixel; -1 * x is exactly -x.
 */
function inkAbove(residual: Float32Array, sign: 1 | -1, noise: number): number {
  let peak = 0;
  for (let i = 0; i < residual.length; i++) {
    const s = sign * residual[i] - noise;
    if (s > 0) {
      residual[i] = s;
      if (s > peak) peak = s;
    } else {
      residual[i] = 0;
    }
  }
  return peak;
}

/** Height of the tallest piece. */
function tallest(pieces: InkComponent[]): number {
  let h = 0;
  for (const p of pieces) h = Math.max(h, p.y1 - p.y0 + 1);
  return h;
}

function findInkAt(img: GrayImage, scale: number, options: InkOptions, ws: Workspace | null): FindInkResult {
  const { width: w, height: h, data } = img;
  const n = w * h;
  const minContrast = options.minContrast ?? DEFAULT_MIN_CONTRAST;
  const border = borderStats(img);

  const residual = ws ? ws.floats(n) : new Float32Array(n);
  const grid = backgroundGrid(img);
  // Light varying by less than the noise is even; clean pictures (no noise at all) must be truly flat.
  const flat = grid === null || isFlat(grid, border.median, Math.max(2, grid.spread));
  let noise: number, inverted: boolean;
  if (flat && n <= NOISE_SUBSAMPLE_ABOVE) {
    // Residuals are then whole levels less one background level, so their histogram is the picture's own
    // (shifted), taken in the same pass; noise and polarity follow from its 256 bins, not from every pixel.
    const bg = border.median;
    const levels = LEVELS;
    for (let i = 0; i < n; i++) {
      const v = data[i];
      residual[i] = v - bg;
      levels[v]++;
    }
    noise = levelNoise(levels, n);
    inverted = levelsInkIsDark(levels, bg, noise);
    levels.fill(0);
  } else {
    if (flat) {
      const bg = border.median;
      for (let i = 0; i < n; i++) residual[i] = data[i] - bg;
    } else {
      subtractGrid(img, grid, residual);
    }
    // A local background is an estimate with its own error, so a picture that needed one is never taken
    // for a noise-free drawing, however flat compression has made its paper.
    noise = flat ? residualNoise(residual, w, h) : Math.max(MIN_LOCAL_NOISE, residualNoise(residual, w, h));
    // Under uneven light polarity comes from the blocks' statistics (see backgroundGrid); on an even background
    // the whole picture's mass beyond the noise decides, as it always has.
    inverted = flat ? inkIsDark(residual, noise) : grid.inkDark;
  }

  // Ink strength above the noise floor: 0 = background, larger = more ink, whatever the source polarity.
  const strength = residual;
  let peak = inkAbove(strength, inverted ? -1 : 1, noise);
  if (peak < minContrast) {
    return {
      ok: false,
      reason: 'no-ink',
      message: `no ink found: the picture is blank or too faint (ink contrast ${Math.round(peak)} of 255, need ${minContrast})`,
    };
  }
  // The lines of a sheet or a form are no writing: taken out before the ink is grouped.
  const rules = removeRules(strength, w, h, peak);
  // a second look finds what the first lines hid: a double margin line, a line beside a removed one
  if (rules.length > 0) rules.push(...removeRules(strength, w, h, peak, { penLines: false }));
  if (rules.length > 0) {
    peak = 0;
    for (let i = 0; i < n; i++) if (strength[i] > peak) peak = strength[i];
    if (peak < minContrast) return onlyLines(rules, scale);
  }
  // A noisy picture also has faint marks that are no ink (a shadow's edge, JPEG ringing, smudges) and
  // would chain strokes to them: there a pixel must reach a fraction of the strongest ink. A noise-free
  // picture keeps every level, so drawn and MNIST pictures keep their rims. The labelling pass applies the
  // cut as it goes and takes Otsu's histogram of what is left, saving two passes over the picture.
  const levels = OTSU_LEVELS;
  levels.fill(0);
  const cut = noise > 0 ? LOW_FRACTION * peak : 0;
  const { labels, components: pieces } = labelComponents(strength, w, h, {
    into: ws ? ws.zeroedInts(n) : undefined,
    cut,
    levels,
  });
  let largest = 0,
    covered = 0,
    longest = 0;
  for (const p of pieces) covered += p.area;
  const strong = Math.max(minContrast, Math.min(otsuOfHistogram(levels, covered), STRONG_FRACTION * peak));
  let heaviest: InkComponent | null = null;
  for (const p of pieces) if (p.peak >= strong && (!heaviest || p.mass > heaviest.mass)) heaviest = p;
  if (heaviest) {
    // The heaviest piece may be several characters touching side by side, and a minus sign beside them is
    // no speck: a piece wider than tall is measured as one character, by its height.
    const one = Math.min(1, (heaviest.y1 - heaviest.y0 + 1) / (heaviest.x1 - heaviest.x0 + 1));
    largest = heaviest.mass * one;
    longest = longSide(heaviest) * one;
  }
  const ink = pieces.filter(
    (p) =>
      p.peak >= strong &&
      (p.mass >= SPECK_FRACTION * largest ||
        (p.mass >= STROKE_FRACTION * largest && longSide(p) >= (isBar(p) ? BAR_LENGTH : STROKE_LENGTH) * longest)),
  );
  ink.push(...divisionMarks(pieces, ink, strong, largest));
  // Where lines were taken out, what is left of them stands apart too.
  if (noise === 0 && rules.length === 0) ink.push(...marksApart(pieces, ink, strong, largest, longest));
  ink.sort((a, b) => a.label - b.label);
  // Only lines that make a form or a sheet (three or more, or one across the picture) say that crumbs are all
  // that is written: the two strokes of a lone + or = can be taken for lines too.
  if (rules.length >= 3 || rules.some((l) => acrossPicture(l, w, h))) {
    let thickest = 0;
    for (const l of rules) thickest = Math.max(thickest, l.thickness);
    if (ink.every((p) => longSide(p) <= REMNANT * thickest)) return onlyLines(rules, scale);
  }
  if (ink.length > MAX_INK_PIECES || covered > MAX_INK_COVER * n) {
    const what =
      ink.length > MAX_INK_PIECES
        ? `${ink.length} separate marks`
        : `ink over ${Math.round((100 * covered) / n)}% of it`;
    return {
      ok: false,
      reason: 'too-much-ink',
      message: `too much ink: the picture holds ${what} (a page of text or a busy photo?); give a picture of one digit or one line of digits`,
    };
  }
  // Specks are what noise and dust leave. A picture without measurable noise is drawn or rendered: its
  // small pieces are broken strokes and anti-aliased rims of its characters, kept with the nearest one.
  const owner = attachSpecks(pieces, ink, noise === 0 ? Infinity : ATTACH_FRACTION);
  return {
    ok: true,
    map: {
      width: w,
      height: h,
      scale,
      strength,
      labels,
      pieces,
      ink,
      owner,
      inverted,
      background: border.median,
      flatBackground: flat,
      noise,
      peak,
      rules,
    },
  };
}

/** The refusal of a picture that holds only `rules` (working pixels) and nothing written. */
function onlyLines(rules: RuledLine[], scale: number) {
  return {
    ok: false as const,
    reason: 'no-ink' as const,
    message: nothingWritten(rules.length),
    rules: rules.map((l) => scaled(l, scale)),
  };
}

/** The one-line answer for a picture that holds `lines` lines of a sheet or a form and nothing written. */
export function nothingWritten(lines: number): string {
  return `no characters found: the picture holds only ${lines === 1 ? 'a line' : `${lines} lines`} of a sheet or a form's box, and nothing written`;
}

/** A line found in working pixels, in source pixels. */
function scaled(l: RuledLine, s: number): RuledLine {
  return { ...l, x0: l.x0 * s, y0: l.y0 * s, x1: l.x1 * s, y1: l.y1 * s, thickness: l.thickness * s };
}

/** True when a piece is a bar lying down, a pen stroke thick (see BAR_LENGTH). */
function isBar(p: InkComponent): boolean {
  const w = p.x1 - p.x0 + 1,
    h = p.y1 - p.y0 + 1;
  return w >= BAR_ASPECT * h && h >= BAR_THICKNESS;
}

/**
 * In a picture without noise (drawn or rendered), the light pieces that stand clear of every ink piece: a
 * small sign written quickly (a short dash, a small +), where a broken stroke or a rim lies close to its
 * character. Still at least STROKE_FRACTION of the largest mass and APART_LENGTH of its longer side.
 */
function marksApart(
  pieces: InkComponent[],
  ink: InkComponent[],
  strong: number,
  largest: number,
  longest: number,
): InkComponent[] {
  const isInk = new Set(ink);
  const out: InkComponent[] = [];
  for (const p of pieces) {
    if (isInk.has(p) || p.peak < strong || p.mass < STROKE_FRACTION * largest || longSide(p) < APART_LENGTH * longest)
      continue;
    const clear = ink.every((q) => boxGap(p, q) > APART * (q.y1 - q.y0 + 1));
    if (clear) out.push(p);
  }
  return out;
}

/** Pixels between two pieces' boxes along the axis they are furthest apart on; 0 when the boxes overlap. */
function boxGap(p: InkComponent, q: InkComponent): number {
  return Math.max(q.x0 - p.x1, p.x0 - q.x1, q.y0 - p.y1, p.y0 - q.y1, 0);
}

/** The longer side of a piece's box. */
function longSide(p: InkComponent): number {
  return Math.max(p.x1 - p.x0 + 1, p.y1 - p.y0 + 1);
}

/**
 * The marks of division signs that are too light for ink on their own: compact pieces straight over or under
 * a bar-shaped ink piece, within its columns and no further from it than the bar is wide (the dots of a ÷);
 * and a bar too light or short for ink that has such a dot both over and under it (a small ÷ written with a
 * light hand), kept with its dots. Only pieces at least BAR_DOT_PEAK of the strong level are considered.
 */
function divisionMarks(pieces: InkComponent[], ink: InkComponent[], strong: number, largest: number): InkComponent[] {
  const kept = new Set(ink);
  const faint = pieces.filter((p) => !kept.has(p) && p.peak >= BAR_DOT_PEAK * strong && p.mass >= DOT_FLOOR * largest);
  if (faint.length === 0) return [];
  // A dot written close may touch its bar and make it less flat: a low piece at least as wide as tall
  // (under half the tallest piece's height) may be a bar with its other dot, too.
  let tallest = 0;
  for (const p of ink) tallest = Math.max(tallest, p.y1 - p.y0 + 1);
  const bars = ink.filter((b) => {
    const w = b.x1 - b.x0 + 1,
      h = b.y1 - b.y0 + 1;
    return w >= 2 * h || (w >= h && h <= LOW_BAR * tallest);
  });
  const out = faint.filter((p) => bars.some((b) => dotSide(p, b) !== 0));
  const taken = new Set(out);
  for (const b of faint) {
    if (taken.has(b) || b.x1 - b.x0 + 1 < 2 * (b.y1 - b.y0 + 1)) continue;
    const dots = faint.filter((p) => p !== b && !taken.has(p) && dotSide(p, b) !== 0);
    if (!dots.some((p) => dotSide(p, b) < 0) || !dots.some((p) => dotSide(p, b) > 0)) continue;
    for (const p of [b, ...dots]) {
      out.push(p);
      taken.add(p);
    }
  }
  return out;
}

/** -1 when `p` is a dot over bar `b`, 1 when under it, 0 when it is no dot of `b` (see divisionMarks). */
function dotSide(p: InkComponent, b: InkComponent): number {
  const w = p.x1 - p.x0 + 1,
    h = p.y1 - p.y0 + 1,
    bw = b.x1 - b.x0 + 1;
  if (w > 2 * h || h > 2 * w || w >= bw / 2 || p.mass < BAR_DOT_FRACTION * b.mass) return 0;
  const cx = (p.x0 + p.x1) / 2;
  if (cx < b.x0 || cx > b.x1) return 0;
  if (p.y1 < b.y0 && b.y0 - p.y1 <= bw) return -1;
  if (p.y0 > b.y1 && p.y0 - b.y1 <= bw) return 1;
  return 0;
}

/** The picture at half size, each pixel the rounded mean of a 2x2 square (an odd last row or column is dropped). */
function halve(img: GrayImage, ws: Workspace): GrayImage {
  const w = img.width >> 1,
    h = img.height >> 1,
    src = img.data,
    sw = img.width;
  const data = ws.bytes(w * h);
  for (let y = 0; y < h; y++) {
    const a = 2 * y * sw,
      b = a + sw,
      o = y * w;
    for (let x = 0; x < w; x++) {
      const i = 2 * x;
      data[o + x] = (src[a + i] + src[a + i + 1] + src[b + i] + src[b + i + 1] + 2) >> 2;
    }
  }
  return { width: w, height: h, data };
}

/**
 * Owner label per piece: ink owns itself; a speck within reach (`reachFraction` of an ink piece's height,
 * at least 2 px) of an ink piece joins the nearest one, any other is dropped.
 */
function attachSpecks(pieces: InkComponent[], ink: InkComponent[], reachFraction: number): Int32Array {
  const owner = new Int32Array(pieces.length + 1);
  for (const p of ink) owner[p.label] = p.label;
  for (const p of pieces) {
    if (owner[p.label]) continue;
    let best = 0,
      bestGap = Infinity;
    for (const q of ink) {
      const gap = boxGap(p, q);
      const reach = Math.max(2, reachFraction * (q.y1 - q.y0 + 1));
      if (gap <= reach && gap < bestGap) {
        bestGap = gap;
        best = q.label;
      }
    }
    owner[p.label] = best;
  }
  return owner;
}
