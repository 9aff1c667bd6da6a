/**
 * One picture -> the line of handwriting it holds, as a row (`lenet-onnx read`, `/v1/read` and the read
 * workers all make rows here), and the row's JSON form.
 */
import type { GrayImage } from '../preprocess.js';
import type { ContractModel } from '../model.js';
import { BrokenModelError, modelClassifier } from '../model-classifier.js';
import type { LineDigit } from '../read-line.js';
import type { ExpressionValue } from '../expression.js';
import { readText, type ReadTextOptions } from '../read-text.js';
import { findSheetLines } from '../ink/find.js';
import type { RuledLine } from '../ink/rules.js';
import { decodePicture, PictureError } from './images.js';

/** The result for one picture: the characters read left to right, or why there are none. */
export interface ReadRow {
  path: string;
  /** The characters read, left to right; null on error. */
  text: string | null;
  /** The lowest character probability; null on error. */
  confidence: number | null;
  digits: LineDigit[];
  error: string | null;
  /** Arithmetic models: the exact value of a valid expression. */
  value?: ExpressionValue;
  /** Arithmetic models: why the text is no valid expression, in one line. */
  expression_error?: string;
  /** Each merge, split and set-aside mark the reader decided. */
  decisions: string[];
  /**
   * The model inputs of the characters read, the decoded picture and the lines of a sheet or a form taken out
   * of it (kept only when asked for, for a debug view; also for a picture refused after decoding).
   */
  debug?: { inputs: Float32Array[]; image: GrayImage; rules?: RuledLine[] };
}

/** A `read` row as printed: the JSON field names are part of the CLI's interface. */
export interface ReadRecord {
  path: string;
  text: string | null;
  confidence: number | null;
  digits: Array<{
    digit: string;
    probability: number;
    box: { x: number; y: number; width: number; height: number };
    edge: boolean;
  }>;
  error: string | null;
  value?: ExpressionValue;
  expression_error?: string;
  uncertain?: boolean;
}

/** The JSON form of a row; `uncertain` is present only when a confidence threshold was given. */
export function readRecord(r: ReadRow, minConfidence?: number): ReadRecord {
  const rec: ReadRecord = {
    path: r.path,
    text: r.text,
    confidence: r.confidence,
    digits: r.digits.map((d) => ({ digit: d.digit, probability: d.probability, box: d.box, edge: d.edge })),
    error: r.error,
  };
  if (r.value) rec.value = r.value;
  if (r.expression_error !== undefined) rec.expression_error = r.expression_error;
  if (minConfidence !== undefined) rec.uncertain = isUncertain(r, minConfidence);
  return rec;
}

/** A row read with less confidence than asked for (rows with errors are counted as failures, not here). */
export function isUncertain(r: ReadRow, minConfidence: number | undefined): boolean {
  return minConfidence !== undefined && r.error === null && (r.confidence ?? 0) < minConfidence;
}

/** Tuning of {@link readStream}. */
export interface ReadOptions extends ReadTextOptions {
  /** Worker threads, each with its own model session. */
  workers: number;
  /** Files per message to a worker. */
  chunkSize?: number;
  /** Keep each row's picture and model inputs (for `--debug-dir`). */
  keepDebug?: boolean;
}

/**
 * Read one picture's bytes into a row with `model` (through {@link modelClassifier}); never throws for a bad
 * picture (the row carries the error). Shared by the CLI's stream, the Node API and the server's `/v1/read`.
 * @param o.signal passed to the model's runs: the server's request deadline.
 */
export async function readPictureBytes(
  path: string,
  bytes: Uint8Array,
  model: ContractModel,
  o: ReadTextOptions & { keepDebug?: boolean; signal?: AbortSignal } = {},
): Promise<ReadRow> {
  const row: ReadRow = { path, text: null, confidence: null, digits: [], error: null, decisions: [] };
  try {
    const image = await decodePicture(bytes);
    const r = await readText(image, model.contract, modelClassifier(model, o.signal), o);
    if (o.keepDebug)
      row.debug = {
        inputs: r.ok ? r.digits.flatMap((d) => (d.input ? [d.input] : [])) : [],
        image,
        rules: findSheetLines(image),
      };
    if (!r.ok) {
      row.error = r.message;
    } else {
      row.text = r.text;
      row.confidence = r.confidence;
      row.digits = r.digits;
      row.decisions = r.decisions;
      if (r.value) row.value = r.value;
      if (r.expression_error !== undefined) row.expression_error = r.expression_error;
    }
  } catch (err) {
    // a picture that cannot be decoded, or a model that gives NaN for it, is this picture's error row
    if (!(err instanceof PictureError || err instanceof BrokenModelError)) throw err;
    row.error = err.message;
  }
  return row;
}
