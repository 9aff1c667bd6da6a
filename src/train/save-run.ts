import path from 'node:path';
import { UserError } from '../errors.js';
import { ensureWritableDir } from '../fs/atomic.js';
import { setMemberProblem } from '../fs/file-set.js';
import { MODEL_JSON, saveModelDir } from './models/model-io.js';
import { REPORT_FILES, renderReports } from './report/report.js';
import type { FinishedRun } from './run.js';

/**
 * Check that a run can save into `out` before it trains: the folder can be written, and no file of the model's
 * set is there as something other than a file (a folder, a link). Errors name `--out` and the file.
 */
export async function checkRunOutput(out: string): Promise<void> {
  await ensureWritableDir(out);
  for (const name of [MODEL_JSON, ...REPORT_FILES]) {
    const problem = setMemberProblem(path.join(out, name));
    if (problem)
      throw new UserError(
        `--out: '${path.join(out, name)}' ${problem}; the model's files must be files: move it away and run again`,
      );
  }
}

/**
 * Save a finished run into `out`: model.json and its weights with history.json, curves.svg and card.md,
 * switched in as one set (never a report of a model that is not there). Returns the files written.
 */
export async function saveRun(run: FinishedRun, out: string): Promise<string[]> {
  const reports = await renderReports(run.history);
  const saved = await saveModelDir(run.model, out, { files: reports });
  return [saved.modelJson, saved.weightsFile, ...reports.map(([name]) => path.join(out, name))];
}
