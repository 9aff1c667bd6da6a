import type { Command } from 'commander';
import { PICTURE_EXTENSIONS } from '../runtime/node/images.js';
import { PREDICT_FORMATS } from '../jobs/predict-format.js';
import { PREDICT_DEFAULTS, runPredict } from '../jobs/predict.js';
import { choiceOption, intOption } from './options.js';

/** `lenet-onnx predict PATH...`: the digit in each picture, from files and folders. */
export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description('predict the digit in pictures (files or folders, recursive; any size, colour and polarity)')
    .argument('<paths...>', `picture files or folders (${PICTURE_EXTENSIONS.join(' ')})`)
    .option('--model <file>', 'ONNX model with its input contract', PREDICT_DEFAULTS.model)
    .option('--batch-size <n>', 'pictures per model run', String(PREDICT_DEFAULTS.batchSize))
    .option('--top-k <n>', 'labels listed per picture', String(PREDICT_DEFAULTS.topK))
    .option('--format <name>', `output: ${PREDICT_FORMATS.join(', ')}`, PREDICT_DEFAULTS.format)
    .option('--out <file>', 'write the rows to this file (atomically) instead of stdout')
    .option(
      '--workers <n>',
      'decode threads (one per core, less the one running the model)',
      String(PREDICT_DEFAULTS.workers),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx predict examples/
  $ lenet-onnx predict photo.jpg --top-k 3
  $ lenet-onnx predict ./scans --format csv --out results.csv`,
    )
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
