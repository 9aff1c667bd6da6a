/**
 * Outputs written piece by piece (`predict` rows), with the same target rules as whole-file writes
 * (output-target.ts): a file is streamed into a temp file and renamed on commit, a FIFO or a device is written
 * straight through, `-` is stdout.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { checkOutputTarget, removeStaleTemps, tempPathFor, writeError, type OutputTarget } from './output-target.js';

/** A text sink written piece by piece. */
export interface TextSink {
  write(text: string): Promise<void>;
  /** Make the output final (for a file: flush and rename into place). */
  commit(): Promise<void>;
  /** Give up: a file output leaves no trace and the old file, if any, is untouched. */
  abort(): Promise<void>;
}

const FLUSH_CHARS = 1 << 16;
let quietOnBrokenPipe = false;
let stdoutClosed = false;
/** Writers waiting on stdout (a write, or a drain) that must hear when its reader goes away. */
const waiting = new Set<(err: Error) => void>();
let openStdoutSinks = 0;

/** stdout's reader went away (a closed pipe): the run stops writing, cleans up, and exits 0. */
export class OutputClosedError extends Error {
  constructor() {
    super('stdout was closed by its reader');
    this.name = 'OutputClosedError';
  }
}

/**
 * Once the reader of stdout has gone (`lenet-onnx predict dir | head -2`), nothing more can be delivered: a row
 * stream in progress fails its next write with {@link OutputClosedError}, so it stops, lets its worker threads
 * finish what they hold and exits 0 through the CLI's handler; any other writer ends the process at once, with
 * exit code 0 as a shell pipeline expects, instead of an uncaught EPIPE and a stack trace. Other stdout errors
 * are rethrown unchanged.
 */
export function endQuietlyOnBrokenPipe(): void {
  if (quietOnBrokenPipe) return;
  quietOnBrokenPipe = true;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EPIPE') throw err;
    stdoutClosed = true;
    if (openStdoutSinks === 0) process.exit(0);
    for (const fail of waiting) fail(new OutputClosedError());
    waiting.clear();
  });
}

/** stdout as a sink (respecting back-pressure; a closed pipe fails the write with {@link OutputClosedError}). */
export function stdoutSink(): TextSink {
  endQuietlyOnBrokenPipe();
  openStdoutSinks++;
  let open = true;
  const close = async () => {
    if (open) openStdoutSinks--;
    open = false;
  };
  return {
    write: (text) =>
      new Promise((resolve, reject) => {
        if (stdoutClosed) return reject(new OutputClosedError());
        if (text === '' || process.stdout.write(text)) return resolve();
        const done = () => {
          waiting.delete(fail);
          resolve();
        };
        const fail = (err: Error) => {
          process.stdout.off('drain', done);
          reject(err);
        };
        waiting.add(fail);
        process.stdout.once('drain', done);
      }),
    commit: close,
    abort: close,
  };
}

/**
 * Open a sink on a checked target. A file is written to a temp file beside it, renamed over it only on
 * {@link TextSink.commit}, so 100,000 rows never sit in memory and nobody sees half a file.
 * @param what how an error names the path, e.g. `--out`.
 * @throws UserError naming the path when it cannot be opened.
 */
export async function openOutputSink(target: OutputTarget, what = '--out'): Promise<TextSink> {
  if (target.kind === 'stdout') return stdoutSink();
  const dest = target.kind === 'file' ? tempPathFor(target.path) : target.path;
  if (target.kind === 'file') await removeStaleTemps(path.dirname(target.path));
  let handle: fs.FileHandle;
  try {
    // A FIFO or a device is opened as it is: never created, truncated or replaced.
    handle =
      target.kind === 'file'
        ? await fs.open(dest, 'wx', target.mode ?? 0o666)
        : await fs.open(dest, fs.constants.O_WRONLY);
    if (target.kind === 'file' && target.mode !== undefined) await handle.chmod(target.mode);
  } catch (err) {
    throw writeError(err, target.name, what);
  }
  let pending = '';
  const flush = async () => {
    if (pending) await handle.write(pending);
    pending = '';
  };
  const fail = async (err: unknown): Promise<never> => {
    await handle.close().catch(() => undefined);
    if (target.kind === 'file') await fs.rm(dest, { force: true }).catch(() => undefined);
    throw writeError(err, target.name, what);
  };
  return {
    async write(text) {
      pending += text;
      if (pending.length > FLUSH_CHARS) await flush().catch(fail);
    },
    async commit() {
      try {
        await flush();
        if (target.kind === 'file') await handle.sync();
        await handle.close();
        if (target.kind === 'file') await fs.rename(dest, target.path);
      } catch (err) {
        await fail(err);
      }
    },
    async abort() {
      await handle.close().catch(() => undefined);
      if (target.kind === 'file') await fs.rm(dest, { force: true });
    },
  };
}

/**
 * Check `file` and open a sink on it: {@link checkOutputTarget} then {@link openOutputSink}. Prefer checking the
 * target before the work starts and opening the sink when the first row is ready.
 */
export async function atomicFileSink(file: string, what = '--out'): Promise<TextSink> {
  return openOutputSink(await checkOutputTarget(file, what), what);
}
