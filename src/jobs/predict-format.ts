import type { PredictRow } from '../runtime/node/predict.js';

/** Output formats of `predict`. */
export const PREDICT_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type PredictFormat = (typeof PREDICT_FORMATS)[number];

/** Turns rows into text pieces, streamed: `begin`, then one `row` per result, then `end`. */
export interface RowFormatter {
  begin(): string;
  row(r: PredictRow): string;
  end(): string;
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

function record(r: PredictRow) {
  return {
    path: r.path,
    digit: r.digit,
    probability: r.probability,
    topK: r.topK,
    error: r.error,
  };
}

function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** A formatter for `format`; the table is for people (paths last, so long paths never break the columns). */
export function rowFormatter(format: PredictFormat): RowFormatter {
  switch (format) {
    case 'json': {
      let first = true;
      return {
        begin: () => '[',
        row: (r) => {
          const s = `${first ? '\n' : ',\n'}  ${JSON.stringify(record(r))}`;
          first = false;
          return s;
        },
        end: () => (first ? ']\n' : '\n]\n'),
      };
    }
    case 'jsonl':
      return { begin: () => '', row: (r) => JSON.stringify(record(r)) + '\n', end: () => '' };
    case 'csv':
      return {
        begin: () => 'path,digit,probability,top_k,error\n',
        row: (r) => [
          csvField(r.path),
          r.digit ?? '',
          r.probability === null ? '' : r.probability.toFixed(6),
          csvField(r.topK.map((t) => `${t.label}:${t.probability.toFixed(6)}`).join(' ')),
          csvField(r.error ?? ''),
        ].join(',') + '\n',
        end: () => '',
      };
    case 'table':
      return {
        begin: () => `${'digit'.padEnd(6)}${'prob'.padEnd(8)}${'top-k'.padEnd(34)}path\n`,
        row: (r) => r.error
          ? `${'-'.padEnd(6)}${'-'.padEnd(8)}${('error: ' + r.error).padEnd(33)} ${r.path}\n`
          : `${r.digit!.padEnd(6)}${pct(r.probability!).padEnd(8)}${r.topK.map((t) => `${t.label} ${pct(t.probability)}`).join(', ').padEnd(33)} ${r.path}\n`,
        end: () => '',
      };
  }
}
