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
  csvFields(r: R): string[];
  tableHeader: string;
  tableRow(r: R): string;
}

/** Quote a CSV field when it holds a separator, a quote or a line break. */
export function csvField(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
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
    case 'csv':
      return {
        begin: () => layout.csvHeader.join(',') + '\n',
        row: (r) => layout.csvFields(r).map(csvField).join(',') + '\n',
        end: () => '',
      };
    case 'table':
      return { begin: () => layout.tableHeader + '\n', row: (r) => layout.tableRow(r) + '\n', end: () => '' };
  }
}
