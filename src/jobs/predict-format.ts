import { predictRecord, type PredictRow } from '../runtime/node/predict.js';
import { pct, ROW_FORMATS, rowFormatter as layoutFormatter, type RowFormat, type RowFormatter } from './row-format.js';

/** Output formats of `predict`. */
export const PREDICT_FORMATS = ROW_FORMATS;
export type PredictFormat = RowFormat;

/** How a `predict` row is written; the table is for people (paths last, so long paths never break the columns). */
export function rowFormatter(format: PredictFormat): RowFormatter<PredictRow> {
  return layoutFormatter<PredictRow>(format, {
    record: predictRecord,
    csvHeader: ['path', 'digit', 'probability', 'top_k', 'error', 'note', 'not_character'],
    csvNumeric: ['probability', 'not_character'],
    csvFields: (r) => [
      r.path,
      r.digit ?? '',
      r.probability === null ? '' : r.probability.toFixed(6),
      r.topK.map((t) => `${t.label}:${t.probability.toFixed(6)}`).join(' '),
      r.error ?? '',
      r.note ?? '',
      r.notCharacter === null ? '' : r.notCharacter.toFixed(6),
    ],
    tableHeader: `${'digit'.padEnd(6)}${'prob'.padEnd(8)}${'top-k'.padEnd(34)}path`,
    tableRow: (r) =>
      r.error
        ? `${'-'.padEnd(6)}${'-'.padEnd(8)}${('error: ' + r.error).padEnd(33)} ${r.path}`
        : `${r.digit!.padEnd(6)}${pct(r.probability!).padEnd(8)}${r.topK
            .map((t) => `${t.label} ${pct(t.probability)}`)
            .join(', ')
            .padEnd(33)} ${r.path}${r.note ? `  (${r.note})` : ''}`,
  });
}
