import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/**
 * Write a file so that readers only ever see the old or the complete new content: write a temp file in
 * the same directory, flush it, then rename it over the target. On failure the temp file is removed.
 * @throws UserError naming the path when the directory is missing or not writable.
 */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${process.pid}.${Date.now()}.tmp`);
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, file);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw asWriteError(err, file);
  }
}

/** Create a directory (and parents) or explain in one line why it cannot be written. */
export async function ensureWritableDir(dir: string, what = 'output directory'): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants.W_OK);
  } catch (err) {
    throw asWriteError(err, dir, what);
  }
}

function asWriteError(err: unknown, target: string, what = 'file'): Error {
  const code = (err as NodeJS.ErrnoException).code;
  const reasons: Record<string, string> = {
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    EROFS: 'read-only file system',
    ENOENT: 'its directory does not exist',
    ENOTDIR: 'a parent path is a file, not a directory',
    ENOSPC: 'no space left on device',
    EEXIST: 'a file is in the way',
    EISDIR: 'it is a directory',
  };
  if (code && reasons[code]) {
    return new UserError(`cannot write ${what} '${target}': ${reasons[code]}; choose a writable path`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
