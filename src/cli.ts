import { Command, CommanderError } from 'commander';
import { UserError } from './errors.js';
import { endQuietlyOnBrokenPipe, OutputClosedError } from './fs/output-stream.js';
import { INSTALL_TRAINING, missingTrainingPackage, trainingPackageError } from './optional-packages.js';
import { VERSION } from './version.js';

type Register = (program: Command) => void;

/**
 * Each command's file, loaded only when needed: `predict` has no use for TensorFlow.js, whose loading alone
 * takes longer than predicting a folder of small pictures.
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  train: async () => (await import('./commands/train.js')).registerTrain,
  all: async () => (await import('./commands/pipeline.js')).registerPipeline,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  predict: async () => (await import('./commands/predict.js')).registerPredict,
  read: async () => (await import('./commands/read.js')).registerRead,
  evaluate: async () => (await import('./commands/evaluate.js')).registerEvaluate,
  export: async () => (await import('./commands/export.js')).registerExport,
  verify: async () => (await import('./commands/verify.js')).registerVerify,
  inspect: async () => (await import('./commands/inspect.js')).registerInspect,
};

/**
 * Build the `lenet-onnx` program: one `register*` per command file, nothing else.
 * @param only register just this command (the one being run); every command when absent or unknown, so
 *   the overall help lists them all and a mistyped name gets commander's suggestion.
 */
export async function buildProgram(only?: string): Promise<Command> {
  const program = new Command('lenet-onnx')
    .description(
      'Train LeNet-5 on MNIST with TensorFlow.js, export it to ONNX, verify it and run it in Node and the browser.',
    )
    .version(VERSION)
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx train                      train the default LeNet-5 into models/lenet5
  $ lenet-onnx train --epochs 1 --limit 5000 --out /tmp/quick
  $ lenet-onnx all                        the whole pipeline on the bundled defaults (npm start)`,
    );
  const names = only !== undefined && only in COMMANDS ? [only] : Object.keys(COMMANDS);
  for (const register of await Promise.all(names.map(loadCommand))) register(program);
  return program;
}

/**
 * A command's `register*`; for a command whose file needs a training package that is not installed (an
 * optional peer dependency), one that lists the command and, when run, says what to install.
 */
async function loadCommand(name: string): Promise<Register> {
  try {
    return await COMMANDS[name]();
  } catch (err) {
    const missing = missingTrainingPackage(err);
    if (missing === undefined) throw err;
    return (program) => {
      program
        .command(name)
        .description(`needs the training packages: ${INSTALL_TRAINING}`)
        .helpOption(false)
        .allowUnknownOption()
        .allowExcessArguments()
        .action(() => {
          throw trainingPackageError(`'lenet-onnx ${name}'`, missing);
        });
    };
  }
}

/** The command `argv` runs (node, script, then the command's name), if its first word is one; not `--help predict`. */
function commandIn(argv: string[]): string | undefined {
  const first = argv[2];
  return first !== undefined && !first.startsWith('-') ? first : undefined;
}

/**
 * Run the CLI. The single error handler: a {@link UserError} prints one line and exits with its code;
 * anything else is a bug and keeps its stack trace.
 */
export async function main(argv: string[]): Promise<number> {
  // help, tables and rows piped into `head` must end quietly, whichever command printed them
  endQuietlyOnBrokenPipe();
  const program = await buildProgram(commandIn(argv));
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
    // a training package (an optional peer dependency) imported on the way, not installed
    const missing = missingTrainingPackage(err);
    const user =
      err instanceof UserError
        ? err
        : missing
          ? trainingPackageError(`'lenet-onnx ${commandIn(argv)}'`, missing)
          : undefined;
    if (user) {
      process.stderr.write(`lenet-onnx: error: ${user.message}\n`);
      return finish(user.exitCode);
    }
    throw err;
  }
}

function finish(code: number): number {
  process.exitCode = code;
  return code;
}
