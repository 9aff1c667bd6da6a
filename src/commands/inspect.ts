import type { Command } from 'commander';
import { formatInspect, inspectFile } from '../jobs/inspect.js';

/** `lenet-onnx inspect`: a model summary of an ONNX file or a tfjs model. */
export function registerInspect(program: Command): void {
  program
    .command('inspect')
    .description(
      'summarise an .onnx file or a tfjs model (model.json or its directory): nodes/layers, shapes, parameters, metadata',
    )
    .argument('<file>', '.onnx file, model.json, or a model directory')
    .option('--json', 'print the summary as JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx inspect models/lenet5.onnx
  $ lenet-onnx inspect models/lenet5 --json`,
    )
    .action(async (file: string, opts: { json?: boolean }) => {
      const report = await inspectFile(file);
      process.stdout.write((opts.json ? JSON.stringify(report, null, 2) : formatInspect(report)) + '\n');
    });
}
