import * as tf from '@tensorflow/tfjs';
import type { Worker } from 'node:worker_threads';
import { UserError } from '../../errors.js';
import type { Split } from '../data/dataset.js';
import { permutation, seededRandom } from '../data/rng.js';
import { endEpoch, evaluate, type EpochRecord, type TrainCallbacks, type TrainConfig } from '../train.js';
import { enableFastWasmGradients } from '../step/wasm-fast-grads.js';
import { readWeights } from '../step/flat-adam.js';
import { Barrier, COMMAND, CTL, ReplicaAborted } from './barrier.js';
import type { WorkerFault, WorkerInit, WorkerMessage } from './protocol.js';
import { Replica, trainableSize, weightHash } from './replica.js';
import { allocateShared, viewShared } from './shared.js';
import { spawnWorker } from './spawn.js';

/** Options of data-parallel training. */
export interface ParallelOptions {
  /** Replicas in all: this thread plus `workers - 1` worker threads. */
  workers: number;
  /** Compare every replica's weight hash after every step, not only at epoch ends (tests). */
  checkEveryStep?: boolean;
  /** Tests only: make one worker fail (see WorkerFault). */
  fault?: WorkerFault;
}

/** Bookkeeping of one worker thread, as seen by the coordinator. */
interface WorkerSlot {
  rank: number;
  worker: Worker;
  ready: Promise<void>;
  done: Promise<number>;
  failure?: string;
}

function watch(rank: number, worker: Worker, barrier: Barrier): WorkerSlot {
  const slot = { rank, worker } as WorkerSlot;
  let markReady!: () => void,
    markDone!: (hash: number) => void,
    fail!: (e: Error) => void,
    failDone!: (e: Error) => void;
  slot.ready = new Promise<void>((res, rej) => {
    markReady = res;
    fail = rej;
  });
  slot.done = new Promise<number>((res, rej) => {
    markDone = res;
    failDone = rej;
  });
  // Nobody may be awaiting these yet when a worker fails; the failure is reported through the barrier.
  slot.ready.catch(() => {});
  slot.done.catch(() => {});
  let finished = false;
  const failed = (why: string) => {
    if (finished) return;
    finished = true;
    slot.failure ??= why;
    barrier.abort(rank);
    const e = new Error(why);
    fail(e);
    failDone(e);
  };
  worker.on('message', (m: WorkerMessage) => {
    if (m.type === 'ready') markReady();
    else if (m.type === 'done') {
      finished = true;
      markDone(m.hash);
    } else if (m.type === 'aborted') failed('stopped after another replica failed');
  });
  worker.on('error', (err) => failed(err.message.split('\n')[0]));
  worker.on('exit', (code) => failed(`exited with code ${code} before finishing`));
  return slot;
}

function checkHashes(hashes: Int32Array, when: string): void {
  for (let r = 1; r < hashes.length; r++) {
    if (hashes[r] !== hashes[0]) {
      throw new Error(
        `data-parallel training: replica ${r} weights differ from replica 0 ${when} (hash ${hashes[r]} vs ${hashes[0]})`,
      );
    }
  }
}

/**
 * {@link trainModel} on `options.workers` model replicas, one per thread (this thread is replica 0 and
 * trains `model` itself): synchronous data-parallel Adam. Every global batch is exactly the one the
 * single-thread loop takes (same seeded order, same batch size); each replica computes the gradient of
 * its contiguous shard, the shards' gradients are added through shared memory, each replica updates
 * its range of the weights and all load the result, so all hold bit-identical weights after each step (checked by hash at every
 * epoch end). A fixed seed and worker count give the same weights on every run; a different worker
 * count changes only the float rounding of the gradient sum.
 *
 * @throws UserError when a worker thread fails (the model is left half-trained; nothing is saved here).
 */
export async function trainModelParallel(
  model: tf.LayersModel,
  train: Split,
  validation: Split,
  config: TrainConfig,
  options: ParallelOptions,
  cb: TrainCallbacks = {},
): Promise<EpochRecord[]> {
  const ranks = options.workers;
  enableFastWasmGradients();
  const shared = allocateShared(ranks, trainableSize(model), train);
  const views = viewShared(shared);
  readWeights(
    model.trainableWeights.map((w) => w.read() as tf.Variable),
    views.weights,
  );
  const barrier = new Barrier(views.control, ranks);
  const base = {
    ranks,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    count: train.count,
    rows: train.rows,
    cols: train.cols,
    lrSchedule: config.lrSchedule ?? 'constant',
    totalSteps: config.epochs * Math.ceil(train.count / config.batchSize),
    augmentSeed: config.augment ? config.seed : undefined,
  };
  const topology = model.toJSON(null, false) as object;
  const weights = model.getWeights().map((w) => (w.dataSync() as Float32Array).slice());
  const slots: WorkerSlot[] = [];
  const replica = new Replica(model, views, { ...base, rank: 0 });
  try {
    for (let rank = 1; rank < ranks; rank++) {
      const init: WorkerInit = {
        config: { ...base, rank },
        backend: tf.getBackend(),
        topology,
        weights,
        shared,
        checkEveryStep: Boolean(options.checkEveryStep),
        fault: options.fault?.rank === rank ? options.fault : undefined,
      };
      slots.push(watch(rank, spawnWorker(init), barrier));
    }
    await Promise.all(slots.map((s) => s.ready));

    const rand = seededRandom(config.seed);
    const batches = Math.ceil(train.count / config.batchSize);
    const history: EpochRecord[] = [];
    let step = 0;
    for (let epoch = 1; epoch <= config.epochs; epoch++) {
      cb.onEpochStart?.(epoch, batches);
      const started = performance.now();
      views.order.set(permutation(train.count, rand));
      Atomics.store(views.control, CTL.command, COMMAND.epoch);
      replica.publishHash();
      await barrier.arrive();
      checkHashes(views.hashes, `before epoch ${epoch}`);
      let lossSum = 0,
        hits = 0,
        seen = 0;
      for (let b = 0; b < batches; b++, step++) {
        const start = b * config.batchSize;
        const size = Math.min(config.batchSize, train.count - start);
        replica.publish(step, start, size);
        await barrier.arrive();
        replica.update(step);
        await barrier.arrive();
        replica.load();
        const s = replica.batchStats(step);
        lossSum += s.lossSum;
        hits += s.hits;
        seen += size;
        if (options.checkEveryStep) {
          replica.publishHash();
          await barrier.arrive();
          checkHashes(views.hashes, `after step ${step + 1}`);
        }
        cb.onBatchEnd?.(b + 1, lossSum / seen, hits / seen);
        if (b % 50 === 49) await new Promise((r) => setImmediate(r));
      }
      const seconds = (performance.now() - started) / 1000;
      replica.syncModel();
      const record = endEpoch(epoch, { lossSum, hits, seen, seconds }, evaluate(model, validation));
      history.push(record);
      cb.onEpochEnd?.(record);
    }
    Atomics.store(views.control, CTL.command, COMMAND.stop);
    replica.publishHash();
    await barrier.arrive();
    checkHashes(views.hashes, 'at the end');
    const finalHashes = await Promise.all(slots.map((s) => s.done));
    const own = weightHash(model);
    finalHashes.forEach((h, i) => {
      if (h !== own) throw new Error(`data-parallel training: worker ${i + 1} ended with different weights`);
    });
    return history;
  } catch (err) {
    barrier.abort(0);
    if (err instanceof ReplicaAborted && err.failedRank > 0) {
      // The worker raised the flag before its 'error' event reached this thread: give it a moment.
      const slot = slots[err.failedRank - 1];
      await Promise.race([slot.done.catch(() => {}), new Promise((r) => setTimeout(r, 2000))]);
    }
    const failed = slots.find((s) => s.failure && !s.failure.startsWith('stopped after'));
    if (failed) {
      throw new UserError(
        `--workers ${ranks}: training worker ${failed.rank} failed: ${failed.failure}; nothing was saved (rerun, or use --workers 1 to train on one thread)`,
      );
    }
    if (err instanceof ReplicaAborted)
      throw new UserError(
        `--workers ${ranks}: training replica ${err.failedRank} failed; nothing was saved (rerun, or use --workers 1)`,
      );
    throw err;
  } finally {
    replica.dispose();
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }
}
