import { promises as fs, type Dirent, type Stats } from 'node:fs';
import path from 'node:path';
import { fileErrorReason, specialFileReason } from '../../fs/bounded-read.js';
import { PICTURE_EXTENSIONS } from './images.js';

/** A picture file to predict, or a path that could not be walked and must be reported in its own row. */
export interface WalkEntry {
  path: string;
  error?: string;
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
    if (st.isDirectory()) yield* walkDir(arg, [key(st)]);
    else yield special ? { path: arg, error: special } : { path: arg };
  }
}

function key(st: Stats): string {
  return `${st.dev}:${st.ino}`;
}

async function* walkDir(dir: string, ancestors: string[]): AsyncGenerator<WalkEntry> {
  let entries: Dirent[];
  try {
    // withFileTypes: no stat per file, which would cost more than decoding a small PNG
    entries = (await fs.readdir(dir, { withFileTypes: true })).sort((a, b) =>
      a.name < b.name ? -1 : a.name > b.name ? 1 : 0,
    );
  } catch (err) {
    yield { path: dir, error: `cannot list the directory: ${fileErrorReason(err)}` };
    return;
  }
  for (const entry of entries) {
    const p = path.join(dir, entry.name);
    if (entry.isFile()) {
      if (isPictureName(entry.name)) yield { path: p };
      continue;
    }
    if (!entry.isDirectory() && !entry.isSymbolicLink()) {
      // A FIFO, device or socket named like a picture would otherwise vanish from the output without a word.
      if (isPictureName(entry.name))
        yield { path: p, error: specialFileReason(entry) ?? 'is not a regular file: refused' };
      continue;
    }
    let st: Stats;
    try {
      st = await fs.stat(p);
    } catch (err) {
      // A dangling or looping link only matters when it looks like a picture.
      if (isPictureName(entry.name)) yield { path: p, error: fileErrorReason(err) };
      continue;
    }
    if (st.isDirectory()) {
      if (ancestors.includes(key(st))) {
        yield { path: p, error: 'symlink loop: leads back into a directory already being walked; skipped' };
        continue;
      }
      yield* walkDir(p, [...ancestors, key(st)]);
    } else if (isPictureName(entry.name)) {
      const special = specialFileReason(st);
      yield special ? { path: p, error: special } : { path: p };
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
