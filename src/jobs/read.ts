// The read job behind `lenet-onnx read` and the main job's last step: numbers of several digits.
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promises as fs } from 'node:fs';
import { UsageError, UserError } from '../errors.js';
import { checkOutputTarget } from '../fs/output-target.js';
import { printablePath } from './printable.js';
import { isUncertain } from '../runtime/node/read.js';
import { readStream } from '../runtime/node/read-stream.js';
import { DEFAULT_ONNX_MODEL } from '../runtime/node/session.js';
import { readModelFile } from '../runtime/node/model-file.js';
import { readFormatter, type ReadFormat } from './read-format.js';
import { debugFileName, writeDebugPicture } from './read-debug.js';
import { writeRows } from './row-output.js';

/** Defaults of `lenet-onnx read`, used by the command and the main job alike. */
export const READ_DEFAULTS = {
  model: DEFAULT_ONNX_MODEL,
  format: 'table' as ReadFormat,
  /** Worker threads, each reading whole pictures with its own model session. */
  workers: availableParallelism(),
} as const;

/** Options of {@link runRead} (the parsed command line). */
export interface ReadJobOptions {
  model: string;
  format: ReadFormat;
  out?: string;
  workers: number;
  /** Rows read with a lower confidence are marked `uncertain` and counted. */
  minConfidence?: number;
  /** Folder for one debug PNG per picture. */
  debugDir?: string;
  progress?: boolean;
}

/** What a read run did. */
export interface ReadSummary {
  count: number;
  failed: number;
  uncertain: number;
  seconds: number;
  picturesPerSecond: number;
}

/**
 * Read the line of handwriting in each picture under `paths`; rows to stdout or `--out`, a summary on stderr.
 * @throws UserError when nothing was found, or (after writing every row) when some files failed.
 */
export async function runRead(
  paths: string[],
  o: ReadJobOptions,
  log: (line: string) => void = (l) => {
    process.stderr.write(l + '\n');
  },
): Promise<ReadSummary> {
  const target = o.out ? await checkOutputTarget(o.out, '--out') : undefined;
  if (o.debugDir !== undefined) await prepareDebugDir(o.debugDir);
  // Read here (no session: the workers run the model) so a bad model is one clear error before any worker
  // starts, and for the debug pictures' contract.
  const { contract } = await readModelFile(o.model);
  let uncertain = 0,
    debugFailed = 0;
  const run = await writeRows(
    (entries) => readStream(entries, o.model, { workers: o.workers, keepDebug: o.debugDir !== undefined }),
    {
      paths,
      target,
      formatter: readFormatter(o.format, o.minConfidence),
      progress: o.progress ? 'read' : undefined,
      async onRow(row, i) {
        if (isUncertain(row, o.minConfidence)) uncertain++;
        if (o.debugDir !== undefined && row.debug) {
          const name = debugFileName(i, row.path);
          try {
            await writeDebugPicture(o.debugDir, name, row, contract);
          } catch (err) {
            // one debug file is no reason to stop reading the folder; the exit code says it at the end
            debugFailed++;
            log(
              `lenet-onnx: --debug-dir: cannot write '${path.join(o.debugDir, name)}' for '${printablePath(row.path)}': ${writeReason(err)}; going on`,
            );
          }
        }
      },
    },
  );
  const { count, failed, seconds } = run;
  const summary: ReadSummary = { count, failed, uncertain, seconds, picturesPerSecond: count / seconds };
  const unsure = o.minConfidence === undefined ? '' : `, ${uncertain} uncertain (confidence < ${o.minConfidence})`;
  log(
    `${count} pictures, ${failed} failed${unsure}, ${Math.round(summary.picturesPerSecond)} pictures/s (${seconds.toFixed(2)} s)${o.out ? `; wrote ${o.out}` : ''}${o.debugDir ? `; debug pictures in ${o.debugDir}` : ''}`,
  );
  const debugNote =
    debugFailed > 0
      ? `${debugFailed} debug picture${debugFailed === 1 ? '' : 's'} could not be written (see above)`
      : undefined;
  if (failed > 0)
    throw new UserError(
      `${failed} of ${count} pictures failed; their rows say why${debugNote ? `; ${debugNote}` : ''}`,
    );
  if (debugNote) throw new UserError(debugNote);
  return summary;
}

/**
 * Create the debug folder when missing, and refuse one that is not a folder, cannot be written, or belongs to
 * another user: a folder someone else owns (a `/tmp/read-debug` made in advance) is theirs to fill with links
 * and to swap between our check and our write.
 */
async function prepareDebugDir(dir: string): Promise<void> {
  const link = await fs.lstat(dir).catch(() => undefined);
  const st = await fs.stat(dir).catch(() => undefined);
  if (st && !st.isDirectory())
    throw new UsageError(`--debug-dir '${dir}' exists and is not a folder; name a folder (it is created when missing)`);
  const uid = process.getuid?.();
  for (const s of [link, st]) {
    if (s && uid !== undefined && s.uid !== uid)
      throw new UsageError(
        `--debug-dir '${dir}' belongs to another user (uid ${s.uid}${link?.isSymbolicLink() && s === link ? ', a symbolic link' : ''}); name a folder of your own (it is created when missing)`,
      );
  }
  try {
    await fs.mkdir(dir, { recursive: true });
    await fs.access(dir, fs.constants?.W_OK ?? 2);
  } catch (err) {
    throw new UsageError(
      `--debug-dir '${dir}' cannot be written (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); name a folder you can write to`,
    );
  }
}

function writeReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'EISDIR' || e.code === 'ENOTEMPTY') return 'a folder of that name is in the way';
  if (e.code === 'EACCES' || e.code === 'EPERM') return 'permission denied';
  if (e.code === 'ENOSPC') return 'the disk is full';
  return e.code ?? e.message.split('\n')[0];
}
