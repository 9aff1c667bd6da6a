import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';

/** A text sink written piece by piece. */
export interface TextSink {
  write(text: string): Promise<void>;
  /** Make the output final (for a file: flush and rename into place). */
  commit(): Promise<void>;
  /** Give up: a file output leaves no trace and the old file, if any, is untouched. */
  abort(): Promise<void>;
}

/** stdout as a sink (respecting back-pressure). */
export function stdoutSink(): TextSink {
  return {
    write: (text) => new Promise((resolve) => {
      if (text === '' || process.stdout.write(text)) resolve();
      else process.stdout.once('drain', () => resolve());
    }),
    commit: async () => undefined,
    abort: async () => undefined,
  };
}

/**
 * A file written atomically but streamed: pieces go to a temp file beside the target, which is renamed over it
 * only on {@link TextSink.commit}, so 100,000 rows never sit in memory and nobody sees half a file.
 */
export async function atomicFileSink(file: string): Promise<TextSink> {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  let handle: fs.FileHandle;
  try {
    handle = await fs.open(tmp, 'w');
  } catch (err) {
    throw new UserError(`--out '${file}': cannot write there (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); choose a writable path`);
  }
  let pending = '';
  const flush = async () => {
    if (pending) await handle.write(pending);
    pending = '';
  };
  return {
    async write(text) {
      pending += text;
      if (pending.length > 1 << 16) await flush();
    },
    async commit() {
      await flush();
      await handle.sync();
      await handle.close();
      await fs.rename(tmp, file);
    },
    async abort() {
      await handle.close().catch(() => undefined);
      await fs.rm(tmp, { force: true });
    },
  };
}
