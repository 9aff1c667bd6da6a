import cliProgress from 'cli-progress';
import type { Command } from 'commander';
import { availableParallelism } from 'node:os';
import { UserError } from '../errors.js';
import { PICTURE_EXTENSIONS } from '../runtime/node/images.js';
import { PREDICT_FORMATS, rowFormatter, type PredictFormat } from '../runtime/node/format.js';
import { atomicFileSink, stdoutSink, type TextSink } from '../runtime/node/output-stream.js';
import { predictStream, type PredictRow } from '../runtime/node/predict.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel } from '../runtime/node/session.js';
import { walkPictures, type WalkEntry } from '../runtime/node/walk.js';
import { choiceOption, intOption } from './options.js';

/** Options of {@link runPredict} (the parsed command line). */
export interface PredictCommandOptions {
  model: string;
  batchSize: number;
  topK: number;
  format: PredictFormat;
  out?: string;
  workers: number;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

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
export async function runPredict(paths: string[], o: PredictCommandOptions, log: (line: string) => void = (l) => { process.stderr.write(l + '\n'); }): Promise<PredictSummary> {
  const model = await loadDigitModel(o.model);
  const total = o.progress ? await countEntries(paths) : undefined;
  const sink: TextSink = o.out ? await atomicFileSink(o.out) : stdoutSink();
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

/** `lenet-onnx predict PATH...`: the digit in each picture, from files and folders. */
export function registerPredict(program: Command): void {
  program.command('predict')
    .description('predict the digit in pictures (files or folders, recursive; any size, colour and polarity)')
    .argument('<paths...>', `picture files or folders (${PICTURE_EXTENSIONS.join(' ')})`)
    .option('--model <file>', 'ONNX model with its input contract', DEFAULT_ONNX_MODEL)
    .option('--batch-size <n>', 'pictures per model run', '256')
    .option('--top-k <n>', 'labels listed per picture', '3')
    .option('--format <name>', `output: ${PREDICT_FORMATS.join(', ')}`, 'table')
    .option('--out <file>', 'write the rows to this file (atomically) instead of stdout')
    .option('--workers <n>', 'decode threads', String(availableParallelism()))
    .addHelpText('after', `
Examples:
  $ lenet-onnx predict examples/
  $ lenet-onnx predict photo.jpg --top-k 3
  $ lenet-onnx predict ./scans --format csv --out results.csv`)
    .action(async (paths: string[], opts: Record<string, string | undefined>) => {
      await runPredict(paths, {
        model: opts.model!,
        batchSize: intOption('--batch-size', opts.batchSize!, 1, 65536),
        topK: intOption('--top-k', opts.topK!, 1, 1000),
        format: choiceOption('--format', opts.format!, PREDICT_FORMATS),
        out: opts.out,
        workers: intOption('--workers', opts.workers!, 1, 64),
        progress: Boolean(process.stderr.isTTY),
      });
    });
}

export type { PredictRow };
