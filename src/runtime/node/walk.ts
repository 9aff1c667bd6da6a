import { promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { fileErrorReason, specialFileReason } from '../../fs/bounded-read.js';
import { PICTURE_EXTENSIONS } from './images.js';

/** A picture file to predict, or a path that could not be walked and must be reported in its own row. */
export interface WalkEntry {
  /** The path as shown: a name that is not UTF-8 has its odd bytes written `\xHH` (see {@link showName}). */
  path: string;
  /** The path's exact bytes, when `path` is not them (a name that is not UTF-8): open this one. */
  file?: Buffer;
  error?: string;
}

/** What to open for an entry: its exact bytes when it has them, else its path. */
export function openPath(e: WalkEntry): string | Buffer {
  return e.file ?? e.path;
}

/**
 * A file name's bytes as text: UTF-8 where they are UTF-8, each other byte as `\xHH`. Linux allows any bytes in
 * a name (a Latin-1 `café` from an old archive is `caf\xe9`); decoding them loosely would name a file that does
 * not exist.
 */
export function showName(name: Buffer): string {
  const text = name.toString('utf8');
  if (Buffer.from(text).equals(name)) return text;
  let out = '';
  for (let i = 0; i < name.length;) {
    let len = 1;
    for (; len <= 4 && i + len <= name.length; len++) {
      const piece = name.subarray(i, i + len);
      const s = piece.toString('utf8');
      if (!s.includes('\ufffd') && Buffer.from(s).equals(piece)) break;
    }
    if (len <= 4 && i + len <= name.length) {
      out += name.subarray(i, i + len).toString('utf8');
      i += len;
    } else {
      out += `\\x${name[i].toString(16).padStart(2, '0')}`;
      i++;
    }
  }
  return out;
}

/** True when the name ends in one of {@link PICTURE_EXTENSIONS} (any case). */
export function isPictureName(name: string): boolean {
  const ext = path.extname(name).toLowerCase();
  return (PICTURE_EXTENSIONS as readonly string[]).includes(ext);
}

/**
 * Yield the pictures under `args` in a stable order: arguments as given; inside a directory, entries sorted by
 * name (code units, not locale) and directories walked depth-first where they sort. Only one directory's names
 * are held at a time, so a folder of 100,000 files is streamed, not loaded.
 *
 * A file named on the command line is yielded whatever its extension (its bytes decide); inside directories
 * only picture extensions are. Symbolic links are followed; a link that leads back into a directory being walked
 * (a loop), a dangling link, an unreadable directory, or a FIFO, device or socket where a picture would be (named
 * on the command line, or with a picture extension inside a directory) is yielded as an error entry and the walk
 * goes on.
 */
export async function* walkPictures(args: readonly string[]): AsyncGenerator<WalkEntry> {
  for (const arg of args) {
    let st: Stats;
    try {
      st = await fs.stat(arg);
    } catch (err) {
      yield { path: arg, error: fileErrorReason(err) };
      continue;
    }
    const special = st.isDirectory() ? undefined : specialFileReason(st);
    if (st.isDirectory()) yield* walkDir({ show: arg, open: Buffer.from(arg), utf8: true }, [key(st)]);
    else yield special ? { path: arg, error: special } : { path: arg };
  }
}

function key(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

/** A folder as shown and as its exact bytes (a folder's name may not be UTF-8 either). */
interface Dir {
  show: string;
  open: Buffer;
  /** Every name on the way is UTF-8, so `show` opens the same file as `open`. */
  utf8: boolean;
}

async function* walkDir(dir: Dir, ancestors: string[]): AsyncGenerator<WalkEntry> {
  let entries: Array<{ entry: Dirent<Buffer>; name: string }>;
  try {
    // withFileTypes: no stat per file, which would cost more than decoding a small PNG; names as bytes, so a
    // name that is not UTF-8 can still be opened
    entries = (await fs.readdir(dir.open, { withFileTypes: true, encoding: 'buffer' }))
      .map((entry) => ({ entry, name: showName(entry.name) }))
      .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (err) {
    yield { path: dir.show, error: `cannot list the directory: ${fileErrorReason(err)}` };
    return;
  }
  for (const { entry, name } of entries) {
    const open = Buffer.concat([dir.open, Buffer.from(path.sep), entry.name]);
    const p = path.join(dir.show, name);
    const utf8 = dir.utf8 && Buffer.from(name).equals(entry.name);
    // the exact bytes go along only when the shown path does not open the same file
    const at = (e: Omit<WalkEntry, 'path'> = {}): WalkEntry =>
      utf8 ? { path: p, ...e } : { path: p, file: open, ...e };
    if (entry.isFile()) {
      if (isPictureName(name)) yield at();
      continue;
    }
    if (!entry.isDirectory() && !entry.isSymbolicLink()) {
      // A FIFO, device or socket named like a picture would otherwise vanish from the output without a word.
      if (isPictureName(name)) yield at({ error: specialFileReason(entry) ?? 'is not a regular file: refused' });
      continue;
    }
    let st: Stats;
    try {
      st = await fs.stat(open);
    } catch (err) {
      // A dangling or looping link only matters when it looks like a picture.
      if (isPictureName(name)) yield at({ error: fileErrorReason(err) });
      continue;
    }
    if (st.isDirectory()) {
      if (ancestors.includes(key(st))) {
        yield at({ error: 'symlink loop: leads back into a directory already being walked; skipped' });
        continue;
      }
      yield* walkDir({ show: p, open, utf8 }, [...ancestors, key(st)]);
    } else if (isPictureName(name)) {
      const special = specialFileReason(st);
      yield at(special ? { error: special } : {});
    }
  }
}

/** `items` in arrays of `size` (the last one shorter), for handing to worker threads a chunk at a time. */
export async function* inChunks<T>(items: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let chunk: T[] = [];
  for await (const item of items) {
    chunk.push(item);
    if (chunk.length === size) {
      yield chunk;
      chunk = [];
    }
  }
  if (chunk.length) yield chunk;
}
