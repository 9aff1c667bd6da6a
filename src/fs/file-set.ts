/**
 * Several files that only make sense together (a model's weights, its `model.json` and the reports describing
 * it), replaced as one set. Each file is first written in full to a temp file of ours beside its name; then all
 * are renamed into place in one synchronous run, in the order they were staged. Until that run the old set is
 * untouched; a failure or a signal before it removes the temp files and leaves the old set as it was.
 *
 * From construction to the end of {@link FileSet.commit} or {@link FileSet.abort}, SIGINT, SIGTERM and SIGHUP
 * are held back: one that arrives turns the commit into an abort, and is raised again once the temp files are
 * gone, so the process still ends by it. (SIGKILL cannot be held back: killed while staging, the temp files
 * are left for a later write beside them to clear; killed inside the renames, which take microseconds, part of
 * the new set may be in place.)
 */
import { lstatSync, promises as fs, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { removeStaleTemps, tempPathFor, writeError } from './output-target.js';

const HELD_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/**
 * Why `file` cannot be replaced by a rename (a folder, a FIFO, a device or a socket is in the way), or undefined.
 * A symbolic link is replaced itself, never written through: the set belongs in this folder.
 */
export function setMemberProblem(file: string): string | undefined {
  let st;
  try {
    st = lstatSync(file);
  } catch {
    return undefined;
  }
  if (st.isFile() || st.isSymbolicLink()) return undefined;
  return st.isDirectory() ? 'is a folder' : 'is not a regular file';
}

/** A set of files written to temp files, then switched in together (see the module's comment). */
export class FileSet {
  private readonly staged: Array<{ temp: string; final: string }> = [];
  private signal: NodeJS.Signals | undefined;
  private open = true;
  private cleaned = false;
  private readonly hold = (s: NodeJS.Signals) => {
    this.signal ??= s;
  };

  /** @param dir the folder the set lives in (it must exist) */
  constructor(private readonly dir: string) {
    for (const s of HELD_SIGNALS) process.on(s, this.hold);
  }

  /** Write `data` in full (flushed to disk) to a temp file that {@link commit} renames to `name`. */
  async stage(name: string, data: string | Uint8Array): Promise<void> {
    if (!this.open) throw new Error('FileSet.stage: the set is already committed or aborted');
    if (!this.cleaned) {
      this.cleaned = true;
      await removeStaleTemps(this.dir);
    }
    const final = path.join(this.dir, name);
    const temp = tempPathFor(final);
    this.staged.push({ temp, final });
    try {
      // 'wx': never open through something planted at the temp name
      const handle = await fs.open(temp, 'wx', 0o666);
      try {
        await handle.writeFile(data);
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (err) {
      this.abort();
      throw writeError(err, final, 'model file');
    }
  }

  /**
   * Rename every staged file into place, in staging order, without yielding to the event loop. A signal held
   * meanwhile aborts instead (and is raised again); a member whose place is taken by a folder or a special file
   * aborts with a UserError before anything is renamed.
   */
  commit(): void {
    if (!this.open) throw new Error('FileSet.commit: the set is already committed or aborted');
    if (this.signal) return this.abort();
    for (const { final } of this.staged) {
      const problem = setMemberProblem(final);
      if (problem) {
        this.abort();
        throw new UserError(`'${final}' ${problem}; the model's files must be files: move it away and run again`);
      }
    }
    try {
      for (const { temp, final } of this.staged) renameSync(temp, final);
    } catch (err) {
      this.abort();
      throw writeError(err, this.dir, 'model folder');
    }
    this.release();
  }

  /** Remove the temp files; the old set stays as it was. */
  abort(): void {
    if (!this.open) return;
    for (const { temp } of this.staged) rmSync(temp, { force: true });
    this.release();
  }

  private release(): void {
    this.open = false;
    for (const s of HELD_SIGNALS) process.off(s, this.hold);
    if (this.signal) process.kill(process.pid, this.signal);
  }
}
