/**
 * Reading a whole file with a byte cap, whatever the file claims to be. A path can name a FIFO that never ends,
 * a device such as /dev/zero, or a regular file that grows while it is read; none of them may make us hold more
 * than the cap.
 */
import { closeSync, constants, fstatSync, openSync, readSync, statSync, type Stats } from 'node:fs';

/** What {@link specialFileReason} looks at: a Stats or a directory entry (Dirent). */
export type FileKind = Pick<
  Stats,
  'isFile' | 'isDirectory' | 'isFIFO' | 'isCharacterDevice' | 'isBlockDevice' | 'isSocket'
>;

/** A file that cannot be read; the message is one line naming no path (the caller adds it). */
export class FileReadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FileReadError';
  }
}

/** One line for a failed open/read/stat, naming no path. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied: cannot read the file';
    case 'ELOOP':
      return 'symlink loop: the link never reaches a file';
    case 'EISDIR':
      return 'is a directory';
    case 'ENOTDIR':
      return 'a parent path is a file, not a directory';
    default:
      return `cannot read the file (${e.code ?? e.message})`;
  }
}

/**
 * Why a file of this kind is not read, or undefined for a regular file. FIFOs and devices are refused rather than
 * read with a cap: a FIFO with no writer blocks the reader forever, and a capped read of a device yields bytes
 * that were never a file.
 */
export function specialFileReason(st: FileKind, what = 'picture file'): string | undefined {
  if (st.isFile()) return undefined;
  if (st.isDirectory()) return 'is a directory';
  if (st.isFIFO())
    return 'is a FIFO (named pipe), not a regular file: refused, it may never end; copy its content to a file';
  if (st.isCharacterDevice()) return `is a character device, not a regular file: refused; give a ${what}`;
  if (st.isBlockDevice()) return `is a block device, not a regular file: refused; give a ${what}`;
  if (st.isSocket()) return `is a socket, not a regular file: refused; give a ${what}`;
  return 'is not a regular file: refused';
}

/**
 * Read a regular file whole, never holding more than `maxBytes + 1` bytes: the size is checked before reading
 * and the read stops one byte past the cap, so a file that lies about its size or grows meanwhile is caught too.
 * @param what what the file should be, for messages ("picture file", "ONNX file").
 * @throws FileReadError for a missing or unreadable path, a special file (FIFO, device, socket, directory),
 *   or a file over `maxBytes` (the message gives the limit).
 */
export function readFileCapped(file: string | Buffer, maxBytes: number, what = 'picture file'): Buffer {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    throw new FileReadError(fileErrorReason(err));
  }
  const special = specialFileReason(st, what);
  if (special) throw new FileReadError(special);
  if (st.size > maxBytes) throw tooBig(`${st.size} bytes`, maxBytes, what);
  let fd: number;
  try {
    // O_NONBLOCK: should the path have been swapped for a FIFO since the stat, opening it must not hang
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    throw new FileReadError(fileErrorReason(err));
  }
  return readOpened(fd, maxBytes, what, st.size);
}

/**
 * {@link readFileCapped} for a path a directory walk has just seen as a regular file (walkPictures), with the
 * same results and messages: the file is opened straight away and checked on its descriptor, which spares
 * the stat of a path lookup per file. A path that was not walked must go through readFileCapped, which never
 * opens a device or a FIFO.
 * @throws FileReadError as readFileCapped.
 */
export function readWalkedFileCapped(file: string | Buffer, maxBytes: number, what = 'picture file'): Buffer {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch {
    // whatever went wrong (gone, unreadable, a socket now), the stat-first path words it as it always has
    return readFileCapped(file, maxBytes, what);
  }
  return readOpened(fd, maxBytes, what);
}

function tooBig(size: string, maxBytes: number, what: string): FileReadError {
  return new FileReadError(`file is ${size}, over the ${formatBytes(maxBytes)} limit; give a smaller ${what}`);
}

/**
 * Read an open descriptor whole and close it, checking its kind on the descriptor; `statSize` is what a stat
 * of the path said (already checked against the cap), else the descriptor's size is checked here.
 */
function readOpened(fd: number, maxBytes: number, what: string, statSize?: number): Buffer {
  try {
    const st = fstatSync(fd);
    const special = specialFileReason(st, what);
    if (special) throw new FileReadError(special);
    if (statSize === undefined && st.size > maxBytes) throw tooBig(`${st.size} bytes`, maxBytes, what);
    let buf = Buffer.allocUnsafe(Math.min(statSize ?? st.size, maxBytes) + 1);
    let n = 0;
    for (;;) {
      if (n === buf.length) {
        if (buf.length > maxBytes) throw tooBig(`over ${maxBytes} bytes (it grew while being read)`, maxBytes, what);
        const bigger = Buffer.allocUnsafe(Math.min(Math.max(buf.length * 2, 65536), maxBytes + 1));
        buf.copy(bigger, 0, 0, n);
        buf = bigger;
      }
      const got = readSync(fd, buf, n, buf.length - n, null);
      if (got === 0) break;
      n += got;
    }
    return buf.subarray(0, n);
  } catch (err) {
    if (err instanceof FileReadError) throw err;
    throw new FileReadError(fileErrorReason(err));
  } finally {
    closeSync(fd);
  }
}

/** `104857600` -> `100 MiB`. */
export function formatBytes(n: number): string {
  if (n >= 1048576 && n % 1048576 === 0) return `${n / 1048576} MiB`;
  if (n >= 1024 && n % 1024 === 0) return `${n / 1024} KiB`;
  return `${n} bytes`;
}
