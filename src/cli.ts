import { Command, CommanderError } from 'commander';
import { UserError } from './errors.js';
import { endQuietlyOnBrokenPipe, OutputClosedError } from './fs/output-stream.js';
import { VERSION } from './version.js';
import { registerTrain } from './commands/train.js';
import { registerPipeline } from './commands/pipeline.js';
import { registerServe } from './commands/serve.js';
import { registerPredict } from './commands/predict.js';
import { registerRead } from './commands/read.js';
import { registerEvaluate } from './commands/evaluate.js';
import { registerExport } from './commands/export.js';
import { registerVerify } from './commands/verify.js';
import { registerInspect } from './commands/inspect.js';

/** Build the `lenet-onnx` program: one `register*` per command file, nothing else. */
export function buildProgram(): Command {
  const program = new Command('lenet-onnx')
    .description('Train LeNet-5 on MNIST with TensorFlow.js, export it to ONNX, verify it and run it in Node and the browser.')
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `
Examples:
  $ lenet-onnx train                      train the default LeNet-5 into models/lenet5
  $ lenet-onnx train --epochs 1 --limit 5000 --out /tmp/quick
  $ lenet-onnx all                        the whole pipeline on the bundled defaults (npm start)`);
  registerTrain(program);
  registerPipeline(program);
  registerServe(program);
  registerPredict(program);
  registerRead(program);
  registerEvaluate(program);
  registerExport(program);
  registerVerify(program);
  registerInspect(program);
  return program;
}

/**
 * Run the CLI. The single error handler: a {@link UserError} prints one line and exits with its code;
 * anything else is a bug and keeps its stack trace.
 */
export async function main(argv: string[]): Promise<number> {
  // help, tables and rows piped into `head` must end quietly, whichever command printed them
  endQuietlyOnBrokenPipe();
  const program = buildProgram();
  program.exitOverride();
  for (const cmd of program.commands) cmd.exitOverride();
  try {
    await program.parseAsync(argv);
    return finish(0);
  } catch (err) {
    if (err instanceof CommanderError) {
      // help and version "errors" are successful exits; commander already printed its message.
      return finish(err.exitCode === 0 ? 0 : 2);
    }
    // the reader of stdout went away: what was asked for has been cut short on purpose, not failed
    if (err instanceof OutputClosedError) return finish(0);
    if (err instanceof UserError) {
      process.stderr.write(`lenet-onnx: error: ${err.message}\n`);
      return finish(err.exitCode);
    }
    throw err;
  }
}

function finish(code: number): number {
  process.exitCode = code;
  return code;
}
