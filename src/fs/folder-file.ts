/**
 * Files a command creates by the dozen inside a folder it was given (`read --debug-dir`), where anyone who can
 * write to that folder could have planted a symbolic link under a name we are about to use (the classic /tmp
 * attack). The bytes go to a fresh temp file opened with O_CREAT | O_EXCL | O_NOFOLLOW, which no link can
 * redirect, and are renamed onto the name: a rename replaces a link found there, it never writes through it.
 */
import { constants, promises as fs } from 'node:fs';
import path from 'node:path';
import { tempPathFor } from './output-target.js';

/**
 * Write `data` as `name` inside `dir` without following any link: a link already at `name` is replaced, its
 * target left as it was; nothing half-written is left on failure.
 * @throws the file system's error (the caller reports it with the file's name).
 */
export async function writeFileNoFollow(dir: string, name: string, data: Uint8Array): Promise<void> {
  const final = path.join(dir, name);
  // the temp name carries a bounded piece of the name: a long name must not make the temp name too long
  const temp = tempPathFor(path.join(dir, name.slice(0, 60)));
  const fh = await fs.open(
    temp,
    constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
    0o644,
  );
  try {
    try {
      await fh.writeFile(data);
    } finally {
      await fh.close();
    }
    await fs.rename(temp, final);
  } catch (err) {
    await fs.rm(temp, { force: true });
    throw err;
  }
}
