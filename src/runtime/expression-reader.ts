/**
 * From the characters a line reader found to arithmetic: `text` with `+ - × ÷ =`, and its exact `value` or
 * an `expression_error`.
 *
 * The network sees each character fitted into a 20x20 box, which throws away exactly what tells some of
 * them apart: a `-` and a `1` are both one straight bar once scaled, and `=` is two dashes. What the crop
 * loses, the line still has, so these rules look at each character's size, aspect and vertical position
 * relative to the line's digits:
 * - a mark much wider than tall cannot be a `1`, and one taller than wide cannot be a `-`;
 * - two operators touching side by side are one operator a line reader cut in two;
 * - two flat marks stacked over each other (their columns overlapping) are one `=`;
 * - a bar with small marks straight above and below it is a `÷` (the dots may come as separate characters);
 * - operators are often written smaller than digits: a small mark is kept when it is flat or cross-shaped
 *   and sits in the line's middle band, and only a small round mark with no bar to belong to is a speck;
 * - a dash holding two stacked bars at the picture's resolution is an `=` (segment/bars.ts), an `=` holding
 *   one is a dash, and a dash ending the line after a digit is an `=`: no expression ends in a minus sign;
 * - a `÷` whose ink shows no dot apart from its bar is a `+` when the network gives `+` a fair share.
 *
 * Shared code: no Node and no DOM imports; works on any reader's characters (boxes and probabilities).
 */
import { isDigitLabel } from './contract.js';
import { expressionFields, isOperator, readsArithmetic, type ExpressionValue } from './expression.js';
import type { PixelBox } from './ink/image.js';
import type { LineDigit } from './read-line.js';
import { ARITHMETIC as T } from './reader-thresholds.js';

/**
 * One character as the line reader reports it: the reading type itself, so the rules change the very
 * objects that become the output row.
 */
export type ReadCharacter = LineDigit;

/** A line read as arithmetic. */
export interface ExpressionReading {
  text: string;
  /** Present when `text` is a valid expression (it holds an operator). */
  value?: ExpressionValue;
  /** Present when `text` holds operators but is no valid expression: one line. */
  expression_error?: string;
  /** The characters after the rules, in order. */
  characters: ReadCharacter[];
  /** Each rule that changed the reading, one line each. */
  decisions: string[];
}

/** Which label names two touching operator halves: the one with more structure than the other. */
const JOIN_PRIORITY = ['÷', '×', '+', '=', '-'];

const cx = (b: PixelBox): number => b.x + b.width / 2;
const cy = (b: PixelBox): number => b.y + b.height / 2;

function overlap(a: PixelBox, b: PixelBox): number {
  const lo = Math.max(a.x, b.x),
    hi = Math.min(a.x + a.width, b.x + b.width);
  return Math.max(0, hi - lo) / Math.max(1, Math.min(a.width, b.width));
}

function union(a: PixelBox, b: PixelBox): PixelBox {
  const x = Math.min(a.x, b.x),
    y = Math.min(a.y, b.y);
  return {
    x,
    y,
    width: Math.max(a.x + a.width, b.x + b.width) - x,
    height: Math.max(a.y + a.height, b.y + b.height) - y,
  };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? NaN : s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

/**
 * The line's digit height and middle: the median height and centre of the characters read as digits
 * (operators are often smaller and would pull it down), leaving out marks under half the tallest one's
 * height: a small operator or a speck the network called a digit is no digit's size.
 */
function lineMetrics(chars: ReadCharacter[]): { height: number; middle: number } {
  const digits = chars.filter((c) => isDigitLabel(c.digit));
  const pool = digits.length > 0 ? digits : chars;
  const tallest = Math.max(...pool.map((c) => c.box.height));
  const basis = pool.filter((c) => c.box.height >= T.digitBasis * tallest);
  return { height: median(basis.map((c) => c.box.height)), middle: median(basis.map((c) => cy(c.box))) };
}

/** The most probable label among `allowed`, from the full probabilities when the reader kept them. */
function bestAmong(
  c: ReadCharacter,
  labels: readonly string[],
  allowed: (l: string) => boolean,
): { digit: string; probability: number } | null {
  if (!c.probabilities) return null;
  let best = -1;
  for (let k = 0; k < labels.length; k++) {
    if (allowed(labels[k]) && (best < 0 || c.probabilities[k] > c.probabilities[best])) best = k;
  }
  return best < 0 ? null : { digit: labels[best], probability: c.probabilities[best] };
}

/**
 * Apply the reader rules (see the file comment) to the characters of one line, left to right, and
 * evaluate the result. Never throws on odd input: an empty line reads as empty text.
 * @param labels the model's labels, in the order of each character's `probabilities`.
 */
export function readExpression(characters: readonly ReadCharacter[], labels: readonly string[]): ExpressionReading {
  const decisions: string[] = [];
  const chars = [...characters].sort((a, b) => cx(a.box) - cx(b.box)).map((c) => ({ ...c, box: { ...c.box } }));
  if (chars.length === 0) return { text: '', characters: [], decisions };
  const { height: h, middle } = lineMetrics(chars);
  const knowsOperators = readsArithmetic(labels);
  const isSmall = (b: PixelBox): boolean => b.width < T.small * h && b.height < T.small * h;
  const isFlat = (b: PixelBox): boolean => b.width >= T.flatAspect * b.height;
  const inMiddleBand = (b: PixelBox): boolean => Math.abs(cy(b) - middle) <= T.middleBand * h;

  // 0. A line reader may cut one wide operator in two (its halves each look like an operator); two
  // operators in a row are never valid, so touching operator halves are joined again. The part with more
  // structure names the whole; two dashes that together stand taller than flat held the dots of a ÷.
  for (let i = 0; i + 1 < chars.length; i++) {
    const a = chars[i],
      b = chars[i + 1];
    if (!knowsOperators || !isOperator(a.digit) || !isOperator(b.digit)) continue;
    const gap = b.box.x - (a.box.x + a.box.width);
    const rows = Math.min(a.box.y + a.box.height, b.box.y + b.box.height) - Math.max(a.box.y, b.box.y);
    if (gap > 1 || rows <= 0) continue;
    const box = union(a.box, b.box);
    const rank = (l: string): number => JOIN_PRIORITY.indexOf(l);
    let label = rank(a.digit) <= rank(b.digit) ? a.digit : b.digit;
    if (label === '-' && !isFlat(box) && box.height >= T.dividerAspect * box.width) label = '÷';
    decisions.push(`'${a.digit}' and '${b.digit}' touching (one mark cut in two) joined as '${label}'`);
    chars.splice(i, 2, {
      digit: label,
      probability: Math.min(a.probability, b.probability),
      box,
      edge: a.edge || b.edge,
    });
    i--;
  }

  // 1. ÷: a flat bar with small marks straight above and/or below it takes them in.
  for (let i = 0; i < chars.length; i++) {
    const bar = chars[i];
    if (!knowsOperators || !isFlat(bar.box) || bar.box.height >= T.barHeight * h) continue;
    const dots = chars.filter(
      (d, j) =>
        j !== i &&
        isSmall(d.box) &&
        !isFlat(d.box) &&
        cx(d.box) >= bar.box.x - T.dotColumns * bar.box.width &&
        cx(d.box) <= bar.box.x + (1 + T.dotColumns) * bar.box.width &&
        (d.box.y + d.box.height <= bar.box.y + 1 || d.box.y >= bar.box.y + bar.box.height - 1) &&
        Math.abs(cy(d.box) - cy(bar.box)) <= T.dotReach * h,
    );
    const above = dots.some((d) => cy(d.box) < cy(bar.box)),
      below = dots.some((d) => cy(d.box) > cy(bar.box));
    if (!(above && below)) continue;
    let box = bar.box;
    for (const d of dots) box = union(box, d.box);
    decisions.push(`'${bar.digit}' with the marks above and below it read as '÷'`);
    const merged = { digit: '÷', probability: bar.probability, box, edge: bar.edge || dots.some((d) => d.edge) };
    const keep = chars.filter((c) => c !== bar && !dots.includes(c));
    chars.length = 0;
    chars.push(...[...keep, merged].sort((a, b) => cx(a.box) - cx(b.box)));
    i = -1;
  }

  // 2. =: two flat marks stacked (columns overlapping) are one sign.
  for (let i = 0; i + 1 < chars.length; i++) {
    const a = chars[i],
      b = chars[i + 1];
    if (!knowsOperators || !isFlat(a.box) || !isFlat(b.box) || overlap(a.box, b.box) < T.stackOverlap) continue;
    if (a.box.height >= T.barHeight * h || b.box.height >= T.barHeight * h) continue;
    decisions.push(`'${a.digit}' over '${b.digit}' (stacked flat marks) read as '='`);
    chars.splice(i, 2, {
      digit: '=',
      probability: Math.min(a.probability, b.probability),
      box: union(a.box, b.box),
      edge: a.edge || b.edge,
    });
    i--;
  }

  // 3. Size and aspect settle what the fitted crop cannot: - against 1, = against digits, specks.
  const out: ReadCharacter[] = [];
  for (const c of chars) {
    const b = c.box;
    if (knowsOperators && c.digit === '1' && isFlat(b)) {
      decisions.push(`'1' lying flat (${b.width}x${b.height} px) read as '-'`);
      out.push({ ...c, digit: '-' });
      continue;
    }
    if (knowsOperators && c.digit === '-' && c.rows?.bars === 2) {
      decisions.push(`'-' holding two stacked bars read as '='`);
      out.push({ ...c, digit: '=' });
      continue;
    }
    if (knowsOperators && c.digit === '=' && c.rows?.bars === 1 && c.rows.marks === 1 && c !== chars.at(-1)) {
      // The fitted crop of a thick or short dash looks like two bars run together; at the picture's own
      // resolution an `=` usually still shows two (segment/bars.ts), and one bar is a dash. A small `=` may
      // show one too, so the line's last mark keeps its `=`: no expression ends in a minus sign.
      decisions.push(`'=' holding one bar read as '-'`);
      out.push({ ...c, digit: '-' });
      continue;
    }
    if (knowsOperators && c.digit === '-' && c.rows?.bars === 1 && c.rows.marks >= 2) {
      // A dot written close to the bar is read with it, and the fitted crop shows a dash.
      decisions.push(`'-' with a separate mark over or under its bar read as '÷'`);
      out.push({ ...c, digit: '÷' });
      continue;
    }
    const plus =
      knowsOperators && c.digit === '÷' && c.rows?.marks === 1 ? c.probabilities?.[labels.indexOf('+')] : undefined;
    if (plus !== undefined && plus >= T.plusWithoutDots) {
      // A ÷ is told by dots apart from its bar. Where the ink shows none, the network's ÷ rests on blots run
      // into the bar, which a bold + with short arms also shows: its doubt is enough for a +.
      decisions.push(`'÷' showing no dot apart from its bar, with '+' at ${plus.toFixed(2)}, read as '+'`);
      out.push({ ...c, digit: '+' });
      continue;
    }
    if (c.digit === '-' && b.height >= T.tallAspect * b.width) {
      decisions.push(`'-' standing upright (${b.width}x${b.height} px) read as '1'`);
      out.push({ ...c, digit: '1' });
      continue;
    }
    if (c.digit === '=' && b.height > T.tallEquals * h && !isFlat(b)) {
      // As tall as a digit and not flat: the crop only looked like two bars.
      const alt = bestAmong(c, labels, isDigitLabel);
      if (alt) {
        decisions.push(`'=' as tall as the digits read as '${alt.digit}'`);
        out.push({ ...c, ...alt });
        continue;
      }
    }
    if (isDigitLabel(c.digit) && isSmall(b) && knowsOperators) {
      // A small mark: an operator written small is kept; a small round mark alone is a speck.
      const alt = bestAmong(c, labels, (l) => isOperator(l) && l !== '÷');
      if (isFlat(b) && inMiddleBand(b)) {
        decisions.push(`small flat mark read as '-' (not '${c.digit}')`);
        out.push({ ...c, digit: '-' });
        continue;
      }
      if (alt && alt.probability >= T.smallOperator && inMiddleBand(b)) {
        decisions.push(`small mark in the middle of the line read as '${alt.digit}' (not '${c.digit}')`);
        out.push({ ...c, ...alt });
        continue;
      }
      if (!isFlat(b) && b.width < T.speck * h && b.height < T.speck * h) {
        decisions.push(`set aside a speck (${b.width}x${b.height} px) read as '${c.digit}'`);
        continue;
      }
    }
    out.push(c);
  }
  // 4. Two operators in a row are no expression: where one of them is read with doubt, it is a stray mark
  // (a piece of a digit, a sketchy stroke's second line), set aside; the line's last `=` excepted.
  for (let i = 0; knowsOperators && i + 1 < out.length; i++) {
    const a = out[i],
      b = out[i + 1];
    if (!isOperator(a.digit) || !isOperator(b.digit)) continue;
    if (Math.min(a.probability, b.probability) >= T.doubtfulOperator) continue;
    const drop = a.probability < b.probability ? i : i + 1;
    // The line's last `=` asks for the value: it is written on purpose, however it reads.
    if (drop === out.length - 1 && out[drop].digit === '=') continue;
    decisions.push(
      `set aside a doubtful '${out[drop].digit}' (${out[drop].probability.toFixed(2)}) beside another operator`,
    );
    out.splice(drop, 1);
    i--;
  }
  // 5. A line never ends in a minus sign; it ends in `=` written with its bars run together.
  const last = out[out.length - 1];
  if (knowsOperators && out.length >= 2 && last.digit === '-' && isDigitLabel(out[out.length - 2].digit)) {
    decisions.push(`'-' ending the line read as '='`);
    out[out.length - 1] = { ...last, digit: '=' };
  }
  const text = out.map((c) => c.digit).join('');
  return { text, ...expressionFields(text), characters: out, decisions };
}
