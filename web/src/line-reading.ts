/**
 * Number and expression modes: a whole line of handwriting read through the shared line reader (the very
 * code `lenet-onnx read` runs), and for expressions the shared reader rules and exact arithmetic. No DOM.
 */
import {
  readText,
  type Classifier,
  type ExpressionValue,
  type GrayImage,
  type InputContract,
  type ReadLineResult,
} from './runtime.js';

/** What the pad reads: one digit (the default), a number of several digits, or an arithmetic expression. */
export type PadMode = 'digit' | 'number' | 'expression';
export const PAD_MODES: readonly PadMode[] = ['digit', 'number', 'expression'];

/** A box in the pixels of the picture that was read (for the pad: its hidden ink canvas, see `size`). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** One character of a line, named as in a `lenet-onnx read` row. */
export interface LineCharacter {
  /** The label read (a digit, or an operator for arithmetic models). */
  digit: string;
  probability: number;
  box: Box;
  /** The ink touches the picture's edge: the character may be cut off. */
  edge: boolean;
}

/** Detail of the `prediction` event in number and expression modes, and what `predict()` resolves to there. */
export interface LinePrediction {
  ok: true;
  mode: 'number' | 'expression';
  /** The characters read, left to right (for expressions after the reader rules, e.g. `12+7=`). */
  text: string;
  /** The lowest character probability. */
  confidence: number;
  digits: LineCharacter[];
  /** Width and height of the picture the boxes are measured in: the pad's hidden ink canvas. */
  size: { width: number; height: number };
  /** Expression mode, when `text` is a valid expression: its exact value. */
  value?: ExpressionValue;
  /** Expression mode, when `text` holds operators but is no valid expression: why, in one line. */
  expression_error?: string;
  /** Each split, join and rule the readers applied, one line each. */
  decisions: string[];
  backend: 'webgpu' | 'wasm';
  /** Reading plus inference, in milliseconds. */
  milliseconds: number;
}

/** A picture that holds no readable line (no ink, ink all over, several lines). */
export interface LineRefusal {
  ok: false;
  reason: Exclude<ReadLineResult, { ok: true }>['reason'];
  message: string;
}

/** What `readImage` resolves to: the fields of a `lenet-onnx read --format json` row, `path` being null. */
export interface ReadRowLike {
  path: null;
  text: string | null;
  confidence: number | null;
  digits: LineCharacter[];
  error: string | null;
  /** Expression mode only, as in {@link LinePrediction}. */
  value?: ExpressionValue;
  expression_error?: string;
}

type Reading = Omit<LinePrediction, 'backend' | 'milliseconds'> | LineRefusal;

/**
 * Read the line of characters in `gray` with the shared reader (`readText`, what `lenet-onnx read` runs); in
 * expression mode as arithmetic. `classify` is the model's (see `modelClassifier`): a line's crops in one run.
 */
export async function readGrayLine(
  gray: GrayImage,
  contract: InputContract,
  mode: 'number' | 'expression',
  classify: Classifier,
): Promise<Reading> {
  const r = await readText(gray, contract, classify, { expression: mode === 'expression' });
  if (!r.ok) return { ok: false, reason: r.reason, message: r.message };
  const size = { width: gray.width, height: gray.height };
  const digits = r.digits.map((d) => ({ digit: d.digit, probability: d.probability, box: { ...d.box }, edge: d.edge }));
  const out: Reading = { ok: true, mode, text: r.text, confidence: r.confidence, digits, size, decisions: r.decisions };
  if (r.value) out.value = r.value;
  if (r.expression_error !== undefined) out.expression_error = r.expression_error;
  return out;
}

/** A reading as a `read` row (see {@link ReadRowLike}). */
export function toRow(r: Reading): ReadRowLike {
  if (!r.ok) return { path: null, text: null, confidence: null, digits: [], error: r.message };
  const row: ReadRowLike = { path: null, text: r.text, confidence: r.confidence, digits: r.digits, error: null };
  if (r.value) row.value = r.value;
  if (r.expression_error !== undefined) row.expression_error = r.expression_error;
  return row;
}

/** The value as a person reads it: the exact decimal when there is one, else the reduced fraction. */
export function valueText(v: ExpressionValue): string {
  return v.decimal ?? v.fraction;
}

/** The one line the widget shows for a reading. */
export function readingText(r: LinePrediction, percent: (p: number) => string): string {
  if (r.value) return `${r.text}${r.text.endsWith('=') ? ' ' : ' = '}${valueText(r.value)}`;
  if (r.expression_error !== undefined) return `${r.text}: ${r.expression_error}`;
  return `Reads ${r.text} (least sure: ${percent(r.confidence)})`;
}
