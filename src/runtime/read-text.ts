/**
 * A line of handwriting -> its text: the line reader, and for arithmetic the reader rules (operator shapes
 * and positions) and exact evaluation. The CLI's `read`, the server's `/v1/read` and the widget's number and
 * expression pads all call this, so a line reads the same wherever it is written.
 *
 * Shared code: no Node and no DOM imports.
 */
import type { InputContract } from './contract.js';
import { readExpression } from './expression-reader.js';
import { readsArithmetic, type ExpressionValue } from './expression.js';
import type { GrayImage } from './ink/image.js';
import { readLine, type Classifier, type ReadLineOk, type ReadLineOptions, type ReadLineRefusal } from './read-line.js';

/** A line that was read; `value`/`expression_error` only when it was read as arithmetic. */
export interface TextReading extends ReadLineOk {
  value?: ExpressionValue;
  expression_error?: string;
}

/** Options of {@link readText}. */
export interface ReadTextOptions extends ReadLineOptions {
  /** Read the line as arithmetic. Default: when the model's labels hold operators. */
  expression?: boolean;
}

/**
 * Read the line in `img` (see the file comment).
 * @param classify one probability vector per input, in `contract.labels` order.
 */
export async function readText(
  img: GrayImage,
  contract: InputContract,
  classify: Classifier,
  o: ReadTextOptions = {},
): Promise<TextReading | ReadLineRefusal> {
  const arithmetic = o.expression ?? readsArithmetic(contract.labels);
  const r = await readLine(img, contract, classify, o);
  if (!r.ok || !arithmetic) return r;
  const e = readExpression(r.digits, contract.labels);
  const out: TextReading = {
    ok: true,
    text: e.text,
    confidence: e.characters.reduce((m, c) => Math.min(m, c.probability), 1),
    digits: e.characters,
    decisions: [...r.decisions, ...e.decisions],
  };
  if (e.value) out.value = e.value;
  if (e.expression_error !== undefined) out.expression_error = e.expression_error;
  return out;
}
