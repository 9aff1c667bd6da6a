// Streaming one row per picture to stdout or --out, with a progress bar: shared by `predict` and `read`.
import cliProgress from 'cli-progress';
import { UserError } from '../errors.js';
import type { OutputTarget } from '../fs/output-target.js';
import { openOutputSink, stdoutSink, type TextSink } from '../fs/output-stream.js';
import { PICTURE_EXTENSIONS } from '../runtime/node/images.js';
import { walkPictures, type WalkEntry } from '../runtime/node/walk.js';
import type { RowFormatter } from './row-format.js';

/** How a row stream went. */
export interface RowRun {
  count: number;
  failed: number;
  seconds: number;
}

/** Options of {@link writeRows}. */
export interface WriteRowsOptions<R> {
  /** The command line's paths, for the "nothing found" message and the progress total. */
  paths: string[];
  /** Checked output target (stdout when undefined). */
  target?: OutputTarget;
  formatter: RowFormatter<R>;
  /** Show a progress bar on stderr, with this verb. */
  progress?: string;
  /** Called for each row after it is written (e.g. to write a debug file); may be async. */
  onRow?(row: R, index: number): Promise<void> | void;
}

/**
 * Write every row of `rows` through the formatter; the output is committed only when the stream ends well
 * (an atomic file stays as it was on failure).
 * @throws UserError when no picture was found.
 */
export async function writeRows<R extends { error: string | null }>(
  rows: (entries: AsyncIterable<WalkEntry>) => AsyncIterable<R>,
  o: WriteRowsOptions<R>,
): Promise<RowRun> {
  const total = o.progress ? await countEntries(o.paths) : undefined;
  const sink: TextSink = o.target ? await openOutputSink(o.target, '--out') : stdoutSink();
  const bar =
    total !== undefined
      ? new cliProgress.SingleBar(
          {
            format: `${o.progress} [{bar}] {value}/{total} | {rate} img/s | eta {eta}s`,
            stream: process.stderr,
            clearOnComplete: true,
            hideCursor: true,
          },
          cliProgress.Presets.shades_classic,
        )
      : undefined;
  let count = 0,
    failed = 0;
  const t0 = performance.now();
  bar?.start(total!, 0, { rate: 0 });
  try {
    await sink.write(o.formatter.begin());
    for await (const row of rows(walkPictures(o.paths))) {
      if (row.error) failed++;
      await sink.write(o.formatter.row(row));
      await o.onRow?.(row, count);
      count++;
      if (bar && count % 64 === 0) bar.update(count, { rate: Math.round(count / ((performance.now() - t0) / 1000)) });
    }
    await sink.write(o.formatter.end());
    bar?.stop();
    if (count === 0) {
      throw new UserError(
        `no pictures found in ${o.paths.map((p) => `'${p}'`).join(', ')}: looked for ${PICTURE_EXTENSIONS.join(' ')} files; name a picture or a folder holding some`,
      );
    }
    await sink.commit();
  } catch (err) {
    bar?.stop();
    await sink.abort();
    throw err;
  }
  return { count, failed, seconds: (performance.now() - t0) / 1000 };
}

async function countEntries(paths: string[]): Promise<number> {
  let n = 0;
  for await (const _ of walkPictures(paths)) n++;
  return n;
}
