// The predict job behind `lenet-onnx predict` and the main job's sample predictions.
import cliProgress from 'cli-progress';
import { UserError } from '../errors.js';
import { PICTURE_EXTENSIONS } from '../runtime/node/images.js';
import { rowFormatter, type PredictFormat } from './predict-format.js';
import { checkOutputTarget } from '../fs/output-target.js';
import { openOutputSink, stdoutSink, type TextSink } from '../fs/output-stream.js';
import { predictStream } from '../runtime/node/predict.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel } from '../runtime/node/session.js';
import { availableParallelism } from 'node:os';
import { walkPictures, type WalkEntry } from '../runtime/node/walk.js';

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
  workers: availableParallelism(),
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
export async function runPredict(paths: string[], o: PredictJobOptions, log: (line: string) => void = (l) => { process.stderr.write(l + '\n'); }): Promise<PredictSummary> {
  const target = o.out ? await checkOutputTarget(o.out, '--out') : undefined;
  const model = await loadDigitModel(o.model);
  const total = o.progress ? await countEntries(paths) : undefined;
  const sink: TextSink = target ? await openOutputSink(target, '--out') : stdoutSink();
  const fmt = rowFormatter(o.format);
  const bar = total !== undefined
    ? new cliProgress.SingleBar({ format: 'predict [{bar}] {value}/{total} | {rate} img/s | eta {eta}s', stream: process.stderr, clearOnComplete: true, hideCursor: true }, cliProgress.Presets.shades_classic)
    : undefined;
  let count = 0, failed = 0;
  const t0 = performance.now();
  bar?.start(total!, 0, { rate: 0 });
  try {
    await sink.write(fmt.begin());
    for await (const row of predictStream(walkPictures(paths), model, { batchSize: o.batchSize, topK: o.topK, workers: o.workers })) {
      count++;
      if (row.error) failed++;
      await sink.write(fmt.row(row));
      if (bar && count % 64 === 0) bar.update(count, { rate: Math.round(count / ((performance.now() - t0) / 1000)) });
    }
    await sink.write(fmt.end());
    bar?.stop();
    if (count === 0) {
      throw new UserError(`no pictures found in ${paths.map((p) => `'${p}'`).join(', ')}: looked for ${PICTURE_EXTENSIONS.join(' ')} files; name a picture or a folder holding some`);
    }
    await sink.commit();
  } catch (err) {
    bar?.stop();
    await sink.abort();
    throw err;
  } finally {
    await model.close();
  }
  const seconds = (performance.now() - t0) / 1000;
  const summary = { count, failed, seconds, imagesPerSecond: count / seconds };
  log(`${count} pictures, ${failed} failed, ${Math.round(summary.imagesPerSecond)} img/s (${seconds.toFixed(2)} s)${o.out ? `; wrote ${o.out}` : ''}`);
  if (failed > 0) throw new UserError(`${failed} of ${count} pictures failed; their rows say why`);
  return summary;
}

async function countEntries(paths: string[]): Promise<number> {
  let n = 0;
  for await (const _ of walkPictures(paths) as AsyncIterable<WalkEntry>) n++;
  return n;
}
