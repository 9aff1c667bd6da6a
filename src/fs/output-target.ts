/**
 * Where an output goes, decided once and up front: every command that writes a file (`--out`, `--svg`, `--json`,
 * the model files of `train`) asks {@link checkOutputTarget} before it starts its work, so a bad path costs
 * nothing, and writes through the target it got back.
 *
 * A regular file (or a name not taken yet) is replaced atomically: a temp file beside it, then a rename. A
 * symlink is followed, so the rename happens beside the file it points at and the link stays a link. A FIFO or a
 * character device is written straight through: renaming over it would destroy it (as root, `--out /dev/null`
 * would replace the device node). `-` is stdout. A directory, a socket or a block device is refused.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';

/** A checked output path; `name` is what the user wrote, for messages. */
export type OutputTarget =
  | { kind: 'stdout'; name: string }
  /** Replaced atomically; `path` is where the bytes land (symlinks followed), `mode` the old file's, if any. */
  | { kind: 'file'; name: string; path: string; mode?: number }
  /** A FIFO or a character device: opened and written, never created, truncated or renamed over. */
  | { kind: 'stream'; name: string; path: string };

/** Temp files of ours start with this, so stale ones can be told from anyone else's files. */
export const TEMP_PREFIX = '.lenet-onnx-';
const TEMP_SUFFIX = '.tmp';
/** Temp files of ours older than this, whose process is gone, are removed when writing beside them. */
export const STALE_TEMP_MS = 60 * 60 * 1000;
const MAX_LINK_HOPS = 40;

/**
 * Validate an output path before any work: follow symlinks, refuse a directory, a socket or a block device,
 * and check that the directory the file will be renamed into exists and is writable.
 * @param file the path as given; `-` means stdout.
 * @param what how to name it in a message: an option such as `--out`, or words such as `output file`.
 * @throws UserError with one line naming `what` and the path.
 */
export async function checkOutputTarget(file: string, what = 'output file'): Promise<OutputTarget> {
  if (file === '-') return { kind: 'stdout', name: file };
  const label = `${what} '${file}'`;
  let final: string, st: Stats | undefined;
  try {
    ({ final, st } = await followLinks(file));
  } catch (err) {
    throw writeError(err, file, what);
  }
  if (st?.isDirectory()) {
    throw new UserError(`${label} is a directory; name a file (inside it or elsewhere) instead`);
  }
  if (st && (st.isFIFO() || st.isCharacterDevice())) return { kind: 'stream', name: file, path: final };
  if (st && !st.isFile()) {
    throw new UserError(`${label} is a ${st.isSocket() ? 'socket' : 'block device'}; give a regular file path`);
  }
  const dir = path.dirname(final);
  try {
    const d = await fs.stat(dir);
    if (!d.isDirectory()) throw Object.assign(new Error('not a directory'), { code: 'ENOTDIR' });
    await fs.access(dir, fs.constants.W_OK);
  } catch (err) {
    throw writeError(err, file, what);
  }
  return { kind: 'file', name: file, path: final, mode: st ? st.mode & 0o7777 : undefined };
}

/** The path a chain of symlinks ends at (it may not exist yet: a dangling link names the file to create). */
async function followLinks(file: string): Promise<{ final: string; st?: Stats }> {
  let p = path.resolve(file);
  for (let hop = 0; hop <= MAX_LINK_HOPS; hop++) {
    let st: Stats;
    try {
      st = await fs.lstat(p);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { final: p };
      throw err;
    }
    if (!st.isSymbolicLink()) return { final: p, st };
    p = path.resolve(path.dirname(p), await fs.readlink(p));
  }
  throw Object.assign(new Error('symlink loop'), { code: 'ELOOP' });
}

/** A fresh temp path beside `file`, recognisable as ours by {@link TEMP_PREFIX}. */
export function tempPathFor(file: string): string {
  const rand = Math.random().toString(36).slice(2, 10);
  return path.join(path.dirname(file), `${TEMP_PREFIX}${process.pid}-${rand}-${path.basename(file)}${TEMP_SUFFIX}`);
}

/**
 * Remove temp files of ours in `dir` left by a run that was killed: older than {@link STALE_TEMP_MS} and whose
 * process no longer runs. Failures are ignored: cleaning up is a courtesy, never a reason to fail a write.
 * @returns how many were removed.
 */
export async function removeStaleTemps(dir: string, now = Date.now()): Promise<number> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch {
    return 0;
  }
  let removed = 0;
  for (const name of names) {
    if (!name.startsWith(TEMP_PREFIX) || !name.endsWith(TEMP_SUFFIX)) continue;
    const pid = Number(/^(\d+)-/.exec(name.slice(TEMP_PREFIX.length))?.[1]);
    if (pid === process.pid || (pid > 0 && isAlive(pid))) continue;
    const p = path.join(dir, name);
    try {
      const st = await fs.lstat(p);
      if (!st.isFile() || now - st.mtimeMs < STALE_TEMP_MS) continue;
      await fs.rm(p, { force: true });
      removed++;
    } catch {
      // raced with another cleaner, or not ours to remove
    }
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Write `data` to a checked target: atomically for a file (temp file, flush, rename; the old file's mode kept),
 * straight through for a FIFO or a device, to stdout for `-`. On failure a temp file is removed and the old
 * file, if any, is untouched.
 * @throws UserError naming the path when it cannot be written.
 */
export async function writeToTarget(
  target: OutputTarget,
  data: string | Uint8Array,
  what = 'output file',
): Promise<void> {
  if (target.kind === 'stdout') {
    await new Promise<void>((resolve, reject) => process.stdout.write(data, (err) => (err ? reject(err) : resolve())));
    return;
  }
  if (target.kind === 'stream') {
    try {
      const handle = await fs.open(target.path, fs.constants.O_WRONLY);
      try {
        await handle.writeFile(data);
      } finally {
        await handle.close();
      }
    } catch (err) {
      throw writeError(err, target.name, what);
    }
    return;
  }
  await removeStaleTemps(path.dirname(target.path));
  const tmp = tempPathFor(target.path);
  try {
    // 'wx': never open through something planted at the temp name
    const handle = await fs.open(tmp, 'wx', target.mode ?? 0o666);
    try {
      if (target.mode !== undefined) await handle.chmod(target.mode);
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, target.path);
  } catch (err) {
    await fs.rm(tmp, { force: true }).catch(() => undefined);
    throw writeError(err, target.name, what);
  }
}

/** One line for a failed write naming `what` and the path, or the error itself when it is not about the path. */
export function writeError(err: unknown, target: string, what = 'file'): Error {
  if (err instanceof UserError) return err;
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
    ELOOP: 'symlink loop: the link never reaches a file',
    ENXIO: 'a FIFO with no reader',
  };
  if (code && reasons[code]) {
    const head = what.startsWith('-') ? `${what} '${target}'` : `cannot write ${what} '${target}'`;
    return new UserError(`${head}: ${reasons[code]}; choose a writable path`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
