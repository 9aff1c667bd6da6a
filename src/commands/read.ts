import type { Command } from 'commander';
import { PICTURE_EXTENSIONS } from '../runtime/node/images.js';
import { READ_FORMATS } from '../jobs/read-format.js';
import { READ_DEFAULTS, runRead } from '../jobs/read.js';
import { choiceOption, intOption, probabilityOption } from './options.js';

/** `lenet-onnx read PATH...`: the line of handwritten digits (a number) in each picture. */
export function registerRead(program: Command): void {
  program
    .command('read')
    .description(
      'read the line of handwriting in pictures: a number of several digits, or a sum such as 12+7= with an arithmetic model (files or folders, recursive)',
    )
    .argument('<paths...>', `picture files or folders (${PICTURE_EXTENSIONS.join(' ')})`)
    .option('--model <file>', 'ONNX model with its input contract', READ_DEFAULTS.model)
    .option('--format <name>', `output: ${READ_FORMATS.join(', ')}`, READ_DEFAULTS.format)
    .option('--out <file>', 'write the rows to this file (atomically) instead of stdout')
    .option(
      '--min-confidence <p>',
      'mark rows whose least sure character is below p (0..1) as uncertain, and count them',
    )
    .option('--debug-dir <dir>', 'write one PNG per picture: the boxes found and the 28x28 inputs the network saw')
    .option('--workers <n>', 'reading threads, each with its own model session', String(READ_DEFAULTS.workers))
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx read examples/photo-number-3286.jpg
  $ lenet-onnx read ./forms --format csv --out numbers.csv --min-confidence 0.9
  $ lenet-onnx read scan.png --debug-dir /tmp/read-debug
  $ lenet-onnx read sum.jpg --model models/arithmetic.onnx      text '12+7=' and its value 19`,
    )
    .action(async (paths: string[], opts: Record<string, string | undefined>) => {
      await runRead(paths, {
        model: opts.model!,
        format: choiceOption('--format', opts.format!, READ_FORMATS),
        out: opts.out,
        minConfidence:
          opts.minConfidence === undefined ? undefined : probabilityOption('--min-confidence', opts.minConfidence),
        debugDir: opts.debugDir,
        workers: intOption('--workers', opts.workers!, 1, 64),
        progress: Boolean(process.stderr.isTTY),
      });
    });
}
