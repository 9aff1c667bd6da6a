import * as tf from '@tensorflow/tfjs';
import { gatherBatch, type BatchAugment, type Split } from './data/dataset.js';
import { permutation, seededRandom } from './data/rng.js';
import { FlatAdam, readWeights, writeWeights } from './step/flat-adam.js';
import { learningRateAt, type LrSchedule } from './step/schedule.js';
import { enableFastWasmGradients } from './step/wasm-fast-grads.js';
import { gradientStep, type GradientStep } from './step/gradient-step.js';
import { correct, crossEntropy } from './step/loss.js';

/** Hyper-parameters of a training run. */
export interface TrainConfig {
  epochs: number;
  batchSize: number;
  /** Adam learning rate (the peak rate under a schedule). */
  learningRate: number;
  /** How the rate changes over the run (default `constant`). */
  lrSchedule?: LrSchedule;
  /** Randomly distort training pictures (small rotation, scale, shift); default off. */
  augment?: boolean;
  /** Seeds the batch order of every epoch (weights are seeded by the model builder). */
  seed: number;
  /**
   * Model replicas training in parallel, one per thread (runTraining dispatches on it; trainModel
   * itself is the one-thread loop). Default 1.
   */
  workers?: number;
}

/** Figures of one epoch. */
export interface EpochRecord {
  epoch: number;
  trainLoss: number;
  trainAccuracy: number;
  valLoss: number;
  valAccuracy: number;
  seconds: number;
  samplesPerSecond: number;
}

/** Progress callbacks (a progress bar, plain log lines, tests). */
export interface TrainCallbacks {
  onEpochStart?(epoch: number, batches: number): void;
  onBatchEnd?(batch: number, runningLoss: number, runningAccuracy: number): void;
  onEpochEnd?(record: EpochRecord): void;
}

/** An epoch's figures from its running sums (`lossSum` weighted by samples) and its validation. */
export function endEpoch(
  epoch: number,
  t: { lossSum: number; hits: number; seen: number; seconds: number },
  val: Evaluation,
): EpochRecord {
  return {
    epoch,
    trainLoss: t.lossSum / t.seen,
    trainAccuracy: t.hits / t.seen,
    valLoss: val.loss,
    valAccuracy: val.accuracy,
    seconds: t.seconds,
    samplesPerSecond: t.seen / t.seconds,
  };
}

/** Mean per-sample cross-entropy and accuracy of `model` on a split. */
export interface Evaluation {
  loss: number;
  accuracy: number;
}

function batchTensors(
  s: Split,
  order: ArrayLike<number>,
  start: number,
  size: number,
  classes: number,
  augment?: BatchAugment,
): [tf.Tensor4D, tf.Tensor2D] {
  const b = gatherBatch(s, order, start, size, classes, augment);
  return [tf.tensor4d(b.x, [size, s.rows, s.cols, 1]), tf.tensor2d(b.y, [size, classes])];
}

/**
 * Our kernels' forward pass per model, when they cover it (wasm backend): evaluation on them costs a
 * fraction of the model's predict on the backend, which matters as training runs it every epoch.
 */
const forwardPasses = new WeakMap<tf.LayersModel, GradientStep['forward'] | null>();

function forwardPassOf(model: tf.LayersModel): GradientStep['forward'] | null {
  if (!forwardPasses.has(model)) {
    const step = tf.getBackend() === 'wasm' ? gradientStep(model) : undefined;
    forwardPasses.set(model, step?.forward ? step.forward.bind(step) : null);
  }
  return forwardPasses.get(model)!;
}

/** Rows per call of our kernels' forward pass: their buffers stay small. */
const FORWARD_ROWS = 250;

/**
 * Evaluate in batches (inference mode): on our kernels' forward pass where they cover the model, else the
 * model's predict in batches of `batchSize`. The two agree up to float rounding.
 */
export function evaluate(model: tf.LayersModel, s: Split, batchSize = 1000): Evaluation {
  const classes = model.outputs[0].shape[1] as number;
  const order = Array.from({ length: s.count }, (_, i) => i);
  const forward = forwardPassOf(model);
  const rows = forward ? FORWARD_ROWS : batchSize;
  let lossSum = 0,
    hits = 0;
  for (let start = 0; start < s.count; start += rows) {
    const size = Math.min(rows, s.count - start);
    if (forward) {
      const b = gatherBatch(s, order, start, size, classes);
      const x = tf.tensor4d(b.x, [size, s.rows, s.cols, 1]);
      try {
        const r = forward(x, b.y);
        lossSum += r.meanLoss * size;
        hits += r.hits;
      } finally {
        x.dispose();
      }
      continue;
    }
    tf.tidy(() => {
      const [x, y] = batchTensors(s, order, start, size, classes);
      const p = model.predict(x) as tf.Tensor;
      lossSum += crossEntropy(y, p).dataSync()[0] * size;
      hits += correct(y, p).dataSync()[0];
    });
  }
  return { loss: lossSum / s.count, accuracy: hits / s.count };
}

/**
 * Train `model` with Adam on softmax cross-entropy: a seeded shuffle every epoch, mini-batches
 * (the last one smaller), validation after each epoch. A custom step instead of `fit` because `fit`
 * shuffles with Math.random, which no seed reaches; gradients come from {@link gradientStep} (the
 * written-out chain step where the model allows it) and Adam is {@link FlatAdam}, as in data-parallel
 * training.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: Split,
  validation: Split,
  config: TrainConfig,
  cb: TrainCallbacks = {},
): Promise<EpochRecord[]> {
  const classes = model.outputs[0].shape[1] as number;
  enableFastWasmGradients();
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const gradients = gradientStep(model);
  const batches = Math.ceil(train.count / config.batchSize);
  const schedule = config.lrSchedule ?? 'constant';
  const optimizer = new FlatAdam(vars, (step) =>
    learningRateAt(config.learningRate, schedule, step, config.epochs * batches),
  );
  const flat = new Float32Array(optimizer.size);
  // A step that takes its weights flat trains on this array; the variables are written once an epoch,
  // before the evaluation reads them.
  const weights = gradients.takesFlatWeights ? new Float32Array(optimizer.size) : undefined;
  if (weights) readWeights(vars, weights);
  const rand = seededRandom(config.seed);
  const history: EpochRecord[] = [];
  for (let epoch = 1; epoch <= config.epochs; epoch++) {
    cb.onEpochStart?.(epoch, batches);
    const started = performance.now();
    const order = permutation(train.count, rand);
    let lossSum = 0,
      hits = 0,
      seen = 0;
    for (let b = 0; b < batches; b++) {
      const start = b * config.batchSize;
      const size = Math.min(config.batchSize, train.count - start);
      const step = (epoch - 1) * batches + b;
      const batch = gatherBatch(
        train,
        order,
        start,
        size,
        classes,
        config.augment ? { seed: config.seed, step, offset: 0 } : undefined,
      );
      const x = tf.tensor4d(batch.x, [size, train.rows, train.cols, 1]);
      let r;
      try {
        r = gradients.run(x, batch.y, 1, flat, weights);
      } finally {
        x.dispose();
      }
      if (weights) optimizer.update(weights, flat, 0, weights.length);
      else optimizer.step(flat);
      lossSum += r.meanLoss * size;
      hits += r.hits;
      seen += size;
      cb.onBatchEnd?.(b + 1, lossSum / seen, hits / seen);
      // Yield now and then so a progress bar can redraw and Ctrl-C is handled.
      if (b % 50 === 49) await new Promise((r) => setImmediate(r));
    }
    const seconds = (performance.now() - started) / 1000;
    if (weights) writeWeights(vars, weights);
    const record = endEpoch(epoch, { lossSum, hits, seen, seconds }, evaluate(model, validation));
    history.push(record);
    cb.onEpochEnd?.(record);
  }
  return history;
}

/** Trainable parameter count per layer, in model order (layers without weights omitted). */
export function parameterCounts(model: tf.LayersModel): Array<{ layer: string; params: number }> {
  return model.layers
    .map((l) => ({
      layer: l.name,
      params: l.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0),
    }))
    .filter((r) => r.params > 0);
}
