/**
 * Whole-file writes. Everything goes through {@link checkOutputTarget} and {@link writeToTarget}
 * (output-target.ts), so a symlink, a FIFO or a device named as an output is treated the same here as by the
 * streaming sink (output-stream.ts).
 */
import { promises as fs } from 'node:fs';
import { checkOutputTarget, writeError, writeToTarget, type OutputTarget } from './output-target.js';

export { checkOutputTarget, type OutputTarget } from './output-target.js';

/**
 * Write a file so that readers only ever see the old or the complete new content (temp file beside it, flush,
 * rename). A symlink is followed, a FIFO or a character device is written straight through, `-` is stdout.
 * @param file a path, or a target already checked by {@link checkOutputTarget} before the work began.
 * @param what how an error names the path (an option such as `--svg`, or words).
 * @throws UserError naming the path when it is a directory, its directory is missing, or it is not writable.
 */
export async function writeFileAtomic(
  file: string | OutputTarget,
  data: string | Uint8Array,
  what = 'file',
): Promise<void> {
  const target = typeof file === 'string' ? await checkOutputTarget(file, what) : file;
  await writeToTarget(target, data, what);
}

/** Create a directory (and parents) or explain in one line why it cannot be written. */
export async function ensureWritableDir(dir: string, what = 'output directory'): Promise<void> {
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants.W_OK);
  } catch (err) {
    throw writeError(err, dir, what);
  }
}
