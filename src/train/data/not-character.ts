/**
 * Pictures of what is not one character, for the reading models' "not one character" class: the crops a
 * line reader meets when it cuts or joins in the wrong place, made from MNIST training digits, and the
 * marks a page carries besides characters. Taught this class, the network refuses a wrong crop itself
 * instead of the reader guessing from shape rules (LeCun et al. 1998, recognition-based segmentation).
 *
 * - part of a digit: its left, right, top or bottom quarter to half (halves and thirds);
 * - a digit with part of its neighbour, the two close or touching;
 * - two whole digits touching or close;
 * - stray marks: curved strokes, hooks, dots, corners and straight line fragments;
 * - for models that read operators, a digit with a sign written against its side.
 *
 * A piece that is itself a plain stroke (the stem of a 7 cut off reads as a 1) is no example of "not a
 * character", so parts thinner than a stroke are drawn again, and straight fragments keep away from the
 * upright (a 1) and, for models that read operators, from the flat (a `-`).
 */
import type { InputContract } from '../../runtime/contract.js';
import type { Split } from './dataset.js';
import { fitCleanPicture } from './fit-picture.js';
import { inkBox } from './ink-box.js';
import { blankCanvas, canvasPicture, drawStrokes, pastePicture, type InkCanvas } from './ink-canvas.js';
import {
  OPERATOR_SYMBOLS,
  operatorStrokes,
  paintStrokes,
  penDot,
  penStroke,
  strokeBox,
  type Pen,
  type Stroke,
} from './operator-strokes.js';

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();
const DEG = Math.PI / 180;

/** How a "not one character" picture is drawn. */
export interface NotCharacterOptions {
  /**
   * True when the model reads operators (an operator among its labels): flat fragments are then left out (a
   * `-`), and digits with a sign stuck to them are drawn too.
   */
  readsOperators: boolean;
}

/**
 * For a model that reads operators, the share of its pictures that are digits with a sign stuck to them
 * ({@link digitWithSign}): the crop a line reader most often takes wrongly in a sum.
 */
export const SIGN_SHARE = 0.5;

/** Ink box extents below this fraction of the other side make a piece a plain stroke. */
const STROKE_ASPECT = 0.3;

function pick(s: Split, rand: () => number): { x: Float32Array; label: number } {
  const i = Math.floor(rand() * s.count);
  const px = s.rows * s.cols;
  return { x: s.x.subarray(i * px, (i + 1) * px), label: s.y[i] };
}

/** Part of one digit, or null when the part drawn is a plain stroke or nearly empty. */
function partOfDigit(s: Split, rand: () => number): InkCanvas | null {
  const d = pick(s, rand);
  if (d.label === 1) return null;
  const b = inkBox(d.x, s.rows, s.cols);
  if (!b) return null;
  const f = uniform(rand, 0.25, 0.5);
  const side = Math.floor(rand() * 4);
  const w = b.x1 - b.x0 + 1,
    h = b.y1 - b.y0 + 1;
  const keep = [
    (x: number) => x <= b.x0 + f * w,
    (x: number) => x >= b.x1 - f * w,
    (_: number, y: number) => y <= b.y0 + f * h,
    (_: number, y: number) => y >= b.y1 - f * h,
  ][side];
  const c = blankCanvas(s.cols + 12, s.rows + 12);
  pastePicture(c, d.x, s.rows, s.cols, 6, 6, 1, 1, keep);
  return plainStroke(c) ? null : c;
}

/** True when the canvas's ink is a plain stroke (far thinner one way than the other) or next to nothing. */
function plainStroke(c: InkCanvas): boolean {
  const b = inkBox(c.ink, c.height, c.width, 0.3);
  if (!b || b.mass < 8) return true;
  const w = b.x1 - b.x0 + 1,
    h = b.y1 - b.y0 + 1;
  return w < STROKE_ASPECT * h || h < STROKE_ASPECT * w;
}

/** Two digits side by side, touching or close; `part` keeps only a slice of one of them (its near side). */
function twoDigits(s: Split, rand: () => number, part: boolean): InkCanvas | null {
  const a = pick(s, rand),
    b = pick(s, rand);
  const ba = inkBox(a.x, s.rows, s.cols),
    bb = inkBox(b.x, s.rows, s.cols);
  if (!ba || !bb) return null;
  const gap = Math.round(uniform(rand, -4, 3));
  const c = blankCanvas(3 * s.cols, s.rows + 16);
  const ax = 8,
    ay = 8 + Math.round(uniform(rand, -3, 3));
  // The right digit's left ink column lands `gap` columns after the left digit's right one.
  const bx = ax + ba.x1 + 1 + gap - bb.x0,
    by = 8 + Math.round(uniform(rand, -3, 3));
  const f = uniform(rand, 0.2, 0.5);
  const cutRight = rand() < 0.5;
  const wa = ba.x1 - ba.x0 + 1,
    wb = bb.x1 - bb.x0 + 1;
  pastePicture(c, a.x, s.rows, s.cols, ax, ay, 1, 1, part && !cutRight ? (x) => x >= ba.x1 - f * wa : undefined);
  pastePicture(c, b.x, s.rows, s.cols, bx, by, 1, 1, part && cutRight ? (x) => x <= bb.x0 + f * wb : undefined);
  return c;
}

/** A digit with a sign stuck to it, and where the digit's 28x28 picture lies on the canvas. */
export interface DigitWithSign {
  canvas: InkCanvas;
  /** The canvas column and row of the digit picture's top-left corner. */
  digitAt: { x: number; y: number };
}

/**
 * A digit with an operator written against its left or right side (for models that read operators): the crop
 * a line reader takes when it leaves a small sign stuck to its neighbour. The sign is drawn by the operator
 * generator at the digit's own scale; its near side lands from 0.15 of the digit's height inside the digit's
 * ink box to about a pixel clear of it, its middle up to a quarter of the digit's height above or below the
 * digit's. Null when the pair would make a character: a bar or a cross against a 1's left side makes a 7 or
 * a 4.
 */
export function digitWithSign(s: Split, rand: () => number): DigitWithSign | null {
  const d = pick(s, rand);
  const b = inkBox(d.x, s.rows, s.cols);
  if (!b) return null;
  const unit = b.y1 - b.y0 + 1;
  const symbol = OPERATOR_SYMBOLS[Math.floor(rand() * OPERATOR_SYMBOLS.length)];
  const strokes = operatorStrokes(symbol, rand);
  const { x0, y0, x1, y1 } = strokeBox(strokes);
  const right = rand() < 0.5;
  if (d.label === 1 && !right && (symbol === '-' || symbol === '+')) return null;
  // Room for the longest sign on either side of the digit (operators reach about 1.5 digit heights).
  const canvas = blankCanvas(3 * s.cols, 2 * s.rows);
  const digitAt = { x: s.cols, y: Math.round(s.rows / 2) };
  pastePicture(canvas, d.x, s.rows, s.cols, digitAt.x, digitAt.y);
  // Placed by the digit's ink box, not its ink: a negative gap runs into the box (a sign run into the digit),
  // a positive one leaves at most about a column clear, so the reader meets the two as one glyph.
  const gap = uniform(rand, -0.15, 0.06) * unit;
  const ox = right ? digitAt.x + b.x1 + 1 + gap - x0 * unit : digitAt.x + b.x0 - gap - x1 * unit;
  const middle = digitAt.y + (b.y0 + b.y1 + 1) / 2 + uniform(rand, -0.25, 0.25) * unit;
  const oy = middle - ((y0 + y1) / 2) * unit;
  paintStrokes(canvas.ink, canvas.width, canvas.height, strokes, unit, ox, oy);
  return { canvas, digitAt };
}

/** A mark that is not a character: a curved stroke, a hook, a dot, a corner or a straight fragment. */
function strayMark(rand: () => number, o: NotCharacterOptions): InkCanvas | null {
  const c = blankCanvas(48, 48);
  const pen: Pen = { width: uniform(rand, 1.5, 4.5), pressure: uniform(rand, 0.6, 1) };
  const kind = rand();
  const strokes: Stroke[] = [];
  const angle = (): number => {
    // Straight fragments keep at least 45 degrees from the upright (a 1), and from the flat (a `-`) too
    // when the model reads operators.
    for (;;) {
      const a = uniform(rand, 0, 180);
      const fromUpright = Math.abs(a - 90);
      const fromFlat = Math.min(a, 180 - a);
      if (fromUpright >= 45 && (!o.readsOperators || fromFlat >= 25)) return a * DEG;
    }
  };
  if (kind < 0.35) {
    // A curved stroke or hook: strongly bent, so it is no 1.
    // A curved stroke standing upright is a 1 written with a bow: the chord leans at least 30 degrees.
    const len = uniform(rand, 10, 30),
      a = (uniform(rand, -60, 60) + (rand() < 0.5 ? 0 : 180)) * DEG;
    strokes.push(
      penStroke(
        rand,
        pen,
        24 - (Math.cos(a) * len) / 2,
        24 - (Math.sin(a) * len) / 2,
        24 + (Math.cos(a) * len) / 2,
        24 + (Math.sin(a) * len) / 2,
        uniform(rand, 0.3, 0.5) * (rand() < 0.5 ? 1 : -1),
      ),
    );
  } else if (kind < 0.5) {
    strokes.push(penDot(rand, pen, 24, 24, uniform(rand, 1.5, 5)));
  } else if (kind < 0.7) {
    // A corner, as boxes and the crossings of ruled paper leave them.
    const a = uniform(rand, 0, 360) * DEG,
      l1 = uniform(rand, 8, 24),
      l2 = uniform(rand, 8, 24);
    const turn = (rand() < 0.5 ? 1 : -1) * uniform(rand, 75, 105) * DEG;
    strokes.push(
      penStroke(rand, pen, 24 + Math.cos(a) * l1, 24 + Math.sin(a) * l1, 24, 24, 0.02),
      penStroke(rand, pen, 24, 24, 24 + Math.cos(a + turn) * l2, 24 + Math.sin(a + turn) * l2, 0.02),
    );
  } else {
    const a = angle(),
      len = uniform(rand, 10, 40);
    strokes.push(
      penStroke(
        rand,
        pen,
        24 - (Math.cos(a) * len) / 2,
        24 - (Math.sin(a) * len) / 2,
        24 + (Math.cos(a) * len) / 2,
        24 + (Math.sin(a) * len) / 2,
        0.03,
      ),
    );
  }
  drawStrokes(c, strokes);
  return c;
}

/**
 * One "not one character" picture as model input, drawn from `digits` (MNIST training digits for training;
 * held-out digits for validation and test) and `rand`.
 * @throws Error when no picture could be drawn (a generator bug: every kind has ink).
 */
export function notCharacterPicture(
  digits: Split,
  rand: () => number,
  contract: InputContract,
  o: NotCharacterOptions,
): Float32Array {
  for (let attempt = 0; attempt < 50; attempt++) {
    const kind = rand();
    if (o.readsOperators && rand() < SIGN_SHARE) {
      const c = digitWithSign(digits, rand);
      const input = c && fitCleanPicture(canvasPicture(c.canvas), contract);
      if (input) return input;
      continue;
    }
    const c =
      kind < 0.3
        ? partOfDigit(digits, rand)
        : kind < 0.55
          ? twoDigits(digits, rand, true)
          : kind < 0.8
            ? twoDigits(digits, rand, false)
            : strayMark(rand, o);
    if (!c) continue;
    const input = fitCleanPicture(canvasPicture(c), contract);
    if (input) return input;
  }
  throw new Error('not-a-character: no picture after 50 attempts');
}
