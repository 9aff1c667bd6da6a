// The predict job behind `lenet-onnx predict` and the main job's sample predictions.
import { UserError } from '../errors.js';
import { rowFormatter, type PredictFormat } from './predict-format.js';
import { checkOutputTarget } from '../fs/output-target.js';
import { predictStream } from '../runtime/node/predict.js';
import { DecodePool } from '../runtime/node/decode-pool.js';
import { readModelFile } from '../runtime/node/model-file.js';
import { DEFAULT_ONNX_MODEL, openDigitModel } from '../runtime/node/session.js';
import { availableParallelism } from 'node:os';
import { writeRows, type RowRun } from './row-output.js';

/** Options of {@link runPredict} (the parsed command line). */
export interface PredictJobOptions {
  model: string;
  batchSize: number;
  topK: number;
  format: PredictFormat;
  out?: string;
  workers: number;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

/** Defaults of `lenet-onnx predict`, used by the command and the main job alike. */
export const PREDICT_DEFAULTS = {
  model: DEFAULT_ONNX_MODEL,
  batchSize: 256,
  topK: 3,
  format: 'table' as PredictFormat,
  // One core is the main thread's, which runs the model and writes the rows. A decode worker on it too costs more
  // than it brings: each worker starts, and compiles the whole decode path, on its own.
  workers: Math.max(1, availableParallelism() - 1),
} as const;

/** What a predict run did, for the summary line and the exit code. */
export interface PredictSummary {
  count: number;
  failed: number;
  seconds: number;
  imagesPerSecond: number;
}

/**
 * Predict the pictures under `paths` and write the rows to stdout or `--out`; print a summary line on stderr.
 * @throws UserError when nothing was found, or (after writing every row) when some files failed.
 */
export async function runPredict(
  paths: string[],
  o: PredictJobOptions,
  log: (line: string) => void = (l) => {
    process.stderr.write(l + '\n');
  },
): Promise<PredictSummary> {
  const target = o.out ? await checkOutputTarget(o.out, '--out') : undefined;
  // The workers start first: they take about as long to load as the model file's reading and session, and
  // need only its contract.
  const pool = new DecodePool(o.workers);
  let run: RowRun;
  let several = 0;
  try {
    const file = await readModelFile(o.model);
    pool.setup(file.contract);
    const model = await openDigitModel(o.model, file);
    try {
      run = await writeRows(
        (entries) => predictStream(entries, model, { batchSize: o.batchSize, topK: o.topK, pool }),
        {
          paths,
          target,
          formatter: rowFormatter(o.format),
          progress: o.progress ? 'predict' : undefined,
          onRow(row) {
            if (row.note) several++;
          },
        },
      );
    } finally {
      await model.close();
    }
  } finally {
    await pool.close();
  }
  const { count, failed, seconds } = run;
  const summary = { count, failed, seconds, imagesPerSecond: count / seconds };
  const severalNote = several ? `, ${several} holding several characters (read those with 'lenet-onnx read')` : '';
  log(
    `${count} pictures, ${failed} failed${severalNote}, ${Math.round(summary.imagesPerSecond)} img/s (${seconds.toFixed(2)} s)${o.out ? `; wrote ${o.out}` : ''}`,
  );
  if (failed > 0) throw new UserError(`${failed} of ${count} pictures failed; their rows say why`);
  return summary;
}
