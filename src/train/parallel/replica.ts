import * as tf from '@tensorflow/tfjs';
import { gatherBatch, type Split } from '../data/dataset.js';
import { FlatAdam, writeWeights } from '../step/flat-adam.js';
import { learningRateAt, type LrSchedule } from '../step/schedule.js';
import { gradientStep, type GradientStep } from '../step/gradient-step.js';
import { shardOf, type SharedViews } from './shared.js';

/** What every replica of a run agrees on. */
export interface ReplicaConfig {
  rank: number;
  ranks: number;
  batchSize: number;
  learningRate: number;
  lrSchedule: LrSchedule;
  /** Optimizer steps in the whole run (the schedule's length). */
  totalSteps: number;
  /** Distort training pictures, drawn from this seed (undefined: no augmentation). */
  augmentSeed?: number;
  count: number;
  rows: number;
  cols: number;
}

/** Trainable numbers of a model (the length of one gradient slot). */
export function trainableSize(model: tf.LayersModel): number {
  return model.trainableWeights.reduce((s, w) => s + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

/** FNV-1a over the bytes of every trainable weight: equal hashes = bit-identical replicas. */
export function weightHash(model: tf.LayersModel): number {
  let h = 0x811c9dc5;
  for (const w of model.trainableWeights) {
    const bytes = new Uint8Array((w.read().dataSync() as Float32Array).slice().buffer);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  return h | 0;
}

/**
 * One model replica of synchronous data-parallel training. Each step: {@link publish} the gradient of
 * this replica's shard (weighted by shard size / batch size, so the ranks' slots add up to the
 * gradient of the whole batch's mean loss); barrier; {@link update} the range of the weights this
 * replica owns: sum the slots in rank order over that range and take the Adam step there ({@link FlatAdam}:
 * plain JavaScript arithmetic), writing the new weights to shared memory; barrier; {@link load} all
 * weights from shared memory. Every weight is computed once, by its owner, with the same additions in the
 * same order whatever the worker count, and every replica loads the same bits: replicas stay
 * bit-identical after every step. Splitting the update spares each replica the Adam pass over the
 * weights it does not own.
 */
export class Replica {
  private readonly vars: tf.Variable[];
  private readonly params: number;
  private readonly optimizer: FlatAdam;
  private readonly split: Split;
  private readonly classes: number;
  private readonly summed: Float32Array;
  /** The range of the flat weights this replica updates. */
  private readonly own: { lo: number; hi: number };
  private readonly gradients: GradientStep;

  /** The shared weights must hold the model's weights before the first {@link publish}. */
  constructor(
    readonly model: tf.LayersModel,
    private readonly shared: SharedViews,
    private readonly cfg: ReplicaConfig,
  ) {
    this.vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.params = trainableSize(model);
    this.optimizer = new FlatAdam(this.vars, (step) =>
      learningRateAt(cfg.learningRate, cfg.lrSchedule, step, cfg.totalSteps),
    );
    this.classes = model.outputs[0].shape[1] as number;
    this.split = { x: shared.trainX, y: shared.trainY, count: cfg.count, rows: cfg.rows, cols: cfg.cols };
    this.summed = new Float32Array(this.params);
    const { offset, size } = shardOf(this.params, cfg.rank, cfg.ranks);
    this.own = { lo: offset, hi: offset + size };
    this.gradients = gradientStep(model);
  }

  private slot(bank: number, rank: number): Float32Array {
    const start = (bank * this.cfg.ranks + rank) * this.params;
    return this.shared.grads.subarray(start, start + this.params);
  }

  /** Forward + backward on this replica's rows of the batch starting at `start` of the epoch order. */
  publish(step: number, start: number, size: number): void {
    const bank = step & 1;
    const { offset, size: n } = shardOf(size, this.cfg.rank, this.cfg.ranks);
    const out = this.slot(bank, this.cfg.rank);
    const stats = this.shared.stats;
    const s = (bank * this.cfg.ranks + this.cfg.rank) * 2;
    if (n === 0) {
      // A batch smaller than the replica count: this replica has no rows and adds nothing.
      out.fill(0);
      stats[s] = 0;
      stats[s + 1] = 0;
      return;
    }
    const augment = this.cfg.augmentSeed === undefined ? undefined : { seed: this.cfg.augmentSeed, step, offset };
    const b = gatherBatch(this.split, this.shared.order, start + offset, n, this.classes, augment);
    const x = tf.tensor4d(b.x, [n, this.cfg.rows, this.cfg.cols, 1]);
    try {
      const r = this.gradients.run(
        x,
        b.y,
        n / size,
        out,
        this.gradients.takesFlatWeights ? this.shared.weights : undefined,
      );
      stats[s] = r.meanLoss * n;
      stats[s + 1] = r.hits;
    } finally {
      x.dispose();
    }
  }

  /**
   * After the step's gradient barrier: add up every replica's slot over the owned range and apply the Adam
   * update there, in the shared weights. Call {@link load} after the next barrier.
   */
  update(step: number): void {
    const bank = step & 1;
    const { lo, hi } = this.own;
    const total = this.summed;
    total.set(this.slot(bank, 0).subarray(lo, hi), lo);
    for (let r = 1; r < this.cfg.ranks; r++) {
      const g = this.slot(bank, r);
      for (let i = lo; i < hi; i++) total[i] += g[i];
    }
    this.optimizer.update(this.shared.weights, total, lo, hi);
  }

  /**
   * Take every weight from shared memory (after the barrier that follows every replica's {@link update}). A
   * step that takes its weights flat reads them from shared memory itself: the model's variables are then
   * written only by {@link syncModel}.
   */
  load(): void {
    if (!this.gradients.takesFlatWeights) writeWeights(this.vars, this.shared.weights);
  }

  /** Bring the model's variables up to the shared weights (before anything reads the model). */
  syncModel(): void {
    if (this.gradients.takesFlatWeights) writeWeights(this.vars, this.shared.weights);
  }

  /** Summed loss and correct predictions of the whole batch of `step` (valid after its barrier). */
  batchStats(step: number): { lossSum: number; hits: number } {
    const bank = step & 1;
    let lossSum = 0,
      hits = 0;
    for (let r = 0; r < this.cfg.ranks; r++) {
      const s = (bank * this.cfg.ranks + r) * 2;
      lossSum += this.shared.stats[s];
      hits += this.shared.stats[s + 1];
    }
    return { lossSum, hits };
  }

  /** Write this replica's weight hash to its slot (compared by the coordinator after a barrier). */
  publishHash(): void {
    this.syncModel();
    this.shared.hashes[this.cfg.rank] = weightHash(this.model);
  }

  dispose(): void {
    // Nothing on the backend: the optimizer's moments are plain arrays.
  }
}
