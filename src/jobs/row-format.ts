import { printablePath } from './printable.js';

/** Output formats of the commands that print one row per picture (`predict`, `read`). */
export const ROW_FORMATS = ['table', 'json', 'jsonl', 'csv'] as const;
export type RowFormat = (typeof ROW_FORMATS)[number];

/** Turns rows into text pieces, streamed: `begin`, then one `row` per result, then `end`. */
export interface RowFormatter<R> {
  begin(): string;
  row(r: R): string;
  end(): string;
}

/** How one kind of row is written in each format. */
export interface RowLayout<R> {
  /** The row as JSON (json, jsonl): field names are part of the CLI's interface. */
  record(r: R): unknown;
  csvHeader: string[];
  /** Columns of numbers (by header name): a number there is written as it is, even when it starts with '-'. */
  csvNumeric?: readonly string[];
  csvFields(r: R): string[];
  tableHeader: string;
  tableRow(r: R): string;
}

/** Quote a CSV field when it holds a separator, a quote or a line break. */
export function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

// A spreadsheet opening the file runs a cell that starts with one of these as a formula (OWASP, CSV injection)
const FORMULA_START = /^[=+\-@\t\r]/;
// What a numeric column holds: a whole number, a decimal or a fraction, nothing a formula could hide in
const NUMBER = /^[+-]?\d+(\.\d+)?(\/\d+)?$/;

/**
 * One CSV cell, safe to open in a spreadsheet: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return gets a leading `'` (OWASP's advice), so it is shown as text, never run. In a numeric column a plain
 * number (`-3`, `-0.125`, `-7/3`) is a value, not a formula, and is written as it is; anything else there is
 * treated like text. Then quoted as {@link csvField} does.
 */
export function csvCell(v: string, numeric: boolean): string {
  const safe = FORMULA_START.test(v) && !(numeric && NUMBER.test(v)) ? `'${v}` : v;
  return csvField(safe);
}

/** A percentage for tables. */
export const pct = (p: number): string => `${(p * 100).toFixed(1)}%`;

/** A formatter for `format` from a row layout. */
export function rowFormatter<R>(format: RowFormat, layout: RowLayout<R>): RowFormatter<R> {
  switch (format) {
    case 'json': {
      let first = true;
      return {
        begin: () => '[',
        row: (r) => {
          const s = `${first ? '\n' : ',\n'}  ${JSON.stringify(layout.record(r))}`;
          first = false;
          return s;
        },
        end: () => (first ? ']\n' : '\n]\n'),
      };
    }
    case 'jsonl':
      return { begin: () => '', row: (r) => JSON.stringify(layout.record(r)) + '\n', end: () => '' };
    case 'csv': {
      const numeric = layout.csvHeader.map((h) => layout.csvNumeric?.includes(h) ?? false);
      return {
        begin: () => layout.csvHeader.join(',') + '\n',
        row: (r) =>
          layout
            .csvFields(r)
            .map((v, i) => csvCell(v, numeric[i]))
            .join(',') + '\n',
        end: () => '',
      };
    }
    case 'table':
      // a name with a line break or a terminal escape must not break or repaint the table
      return {
        begin: () => layout.tableHeader + '\n',
        row: (r) => printablePath(layout.tableRow(r)) + '\n',
        end: () => '',
      };
  }
}
