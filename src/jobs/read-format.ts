import { isUncertain, readRecord, type ReadRow } from '../runtime/node/read.js';
import { pct, ROW_FORMATS, rowFormatter, type RowFormat, type RowFormatter } from './row-format.js';

/** Output formats of `read`. */
export const READ_FORMATS = ROW_FORMATS;
export type ReadFormat = RowFormat;

/** How a `read` row is written. */
export function readFormatter(format: ReadFormat, minConfidence?: number): RowFormatter<ReadRow> {
  return rowFormatter<ReadRow>(format, {
    record: (r) => readRecord(r, minConfidence),
    csvHeader: ['path', 'text', 'value', 'confidence', 'digits', 'uncertain', 'error'],
    csvNumeric: ['value', 'confidence'],
    csvFields: (r) => [
      r.path,
      r.text ?? '',
      r.value ? (r.value.decimal ?? r.value.fraction) : (r.expression_error ?? ''),
      r.confidence === null ? '' : r.confidence.toFixed(6),
      r.digits
        .map((d) => `${d.digit}:${d.probability.toFixed(6)}@${d.box.x},${d.box.y},${d.box.width},${d.box.height}`)
        .join(' '),
      minConfidence === undefined ? '' : String(isUncertain(r, minConfidence)),
      r.error ?? '',
    ],
    tableHeader: `${'text'.padEnd(14)}${'conf'.padEnd(8)}${'note'.padEnd(12)}path`,
    tableRow: (r) =>
      r.error
        ? `${'-'.padEnd(14)}${'-'.padEnd(8)}${'error'.padEnd(12)}${r.path}: ${r.error}`
        : `${(r.text! + (r.value ? ` = ${r.value.decimal ?? r.value.fraction}` : r.expression_error !== undefined ? ' (invalid)' : '')).padEnd(13)} ${pct(r.confidence!).padEnd(8)}${(isUncertain(r, minConfidence) ? 'uncertain' : r.digits.some((d) => d.edge) ? 'at edge' : '').padEnd(12)}${r.path}`,
  });
}
