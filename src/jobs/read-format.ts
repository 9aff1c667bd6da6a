import type { ReadRow } from '../runtime/node/read.js';
import { pct, ROW_FORMATS, rowFormatter, type RowFormat, type RowFormatter } from './row-format.js';

/** Output formats of `read`. */
export const READ_FORMATS = ROW_FORMATS;
export type ReadFormat = RowFormat;

/** A `read` row as printed: the JSON field names are part of the CLI's interface. */
export interface ReadRecord {
  path: string;
  text: string | null;
  confidence: number | null;
  digits: Array<{ digit: string; probability: number; box: { x: number; y: number; width: number; height: number }; edge: boolean }>;
  error: string | null;
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
  if (minConfidence !== undefined) rec.uncertain = isUncertain(r, minConfidence);
  return rec;
}

/** A row read with less confidence than asked for (rows with errors are counted as failures, not here). */
export function isUncertain(r: ReadRow, minConfidence: number | undefined): boolean {
  return minConfidence !== undefined && r.error === null && (r.confidence ?? 0) < minConfidence;
}

/** How a `read` row is written. */
export function readFormatter(format: ReadFormat, minConfidence?: number): RowFormatter<ReadRow> {
  return rowFormatter<ReadRow>(format, {
    record: (r) => readRecord(r, minConfidence),
    csvHeader: ['path', 'text', 'confidence', 'digits', 'uncertain', 'error'],
    csvFields: (r) => [
      r.path,
      r.text ?? '',
      r.confidence === null ? '' : r.confidence.toFixed(6),
      r.digits.map((d) => `${d.digit}:${d.probability.toFixed(6)}@${d.box.x},${d.box.y},${d.box.width},${d.box.height}`).join(' '),
      minConfidence === undefined ? '' : String(isUncertain(r, minConfidence)),
      r.error ?? '',
    ],
    tableHeader: `${'text'.padEnd(14)}${'conf'.padEnd(8)}${'note'.padEnd(12)}path`,
    tableRow: (r) => r.error
      ? `${'-'.padEnd(14)}${'-'.padEnd(8)}${'error'.padEnd(12)}${r.path}: ${r.error}`
      : `${r.text!.padEnd(13)} ${pct(r.confidence!).padEnd(8)}${(isUncertain(r, minConfidence) ? 'uncertain' : r.digits.some((d) => d.edge) ? 'at edge' : '').padEnd(12)}${r.path}`,
  });
}
