import { splitRows, toSplit, type Split } from '../data/dataset.js';
import type { IdxDataset } from '../../data/idx.js';
import { CTL_LENGTH } from './barrier.js';

/**
 * The shared memory of one data-parallel run. Statistics slots come in two banks used on alternate steps:
 * the coordinator reads step k's after the step's last barrier, when a faster replica may already be
 * publishing step k+1, and nobody gets to step k+2 before the coordinator has passed step k+1's barriers.
 * Gradient slots use the same two banks; every replica has finished reading step k's gradients before the
 * barrier that ends step k, so one bank would do, but the two layouts stay alike.
 */
export interface SharedBuffers {
  /** Int32 control words: see CTL in barrier.ts. */
  control: SharedArrayBuffer;
  /** Float32 [2 banks][ranks][params]: each replica's share of the batch gradient. */
  grads: SharedArrayBuffer;
  /** Float32 [params]: the current weights; each replica writes the range it updates. */
  weights: SharedArrayBuffer;
  /** Float64 [2 banks][ranks][2]: summed cross-entropy and correct predictions of each shard. */
  stats: SharedArrayBuffer;
  /** Int32 [ranks]: a hash of each replica's weights, written when a check is due. */
  hashes: SharedArrayBuffer;
  /** Uint32 [train count]: this epoch's sample order, written by the coordinator. */
  order: SharedArrayBuffer;
  /** Float32 training pixels [count, rows, cols, 1] and Uint8 labels, shared instead of copied. */
  trainX: SharedArrayBuffer;
  trainY: SharedArrayBuffer;
}

/** Typed views of {@link SharedBuffers} (each thread makes its own). */
export interface SharedViews {
  control: Int32Array;
  grads: Float32Array;
  weights: Float32Array;
  stats: Float64Array;
  hashes: Int32Array;
  order: Uint32Array;
  trainX: Float32Array;
  trainY: Uint8Array;
}

function isWholeShared(a: ArrayBufferView): boolean {
  return a.buffer instanceof SharedArrayBuffer && a.byteOffset === 0 && a.byteLength === a.buffer.byteLength;
}

/** The same split with its pixels and labels in shared memory (returned as is when they already are). */
export function shareSplit(s: Split): Split {
  if (isWholeShared(s.x) && isWholeShared(s.y)) return s;
  const x = new Float32Array(new SharedArrayBuffer(s.x.byteLength));
  x.set(s.x);
  const y = new Uint8Array(new SharedArrayBuffer(s.y.byteLength));
  y.set(s.y);
  return { ...s, x, y };
}

const BLOCK_ROWS = 4096;

/**
 * {@link splitTrainValidation} with the training rows written straight into shared memory, a block at a
 * time, so a full plain copy (172 MB for MNIST) never sits next to the shared one at the memory peak.
 * Picks exactly the rows splitTrainValidation picks (the same seeded permutation; a test compares them).
 */
export function sharedSplitTrainValidation(
  d: IdxDataset,
  validation: number,
  seed: number,
  train?: number,
): { train: Split; validation: Split } {
  const { train: t, validation: v } = splitRows(d.count, validation, seed, train);
  const px = d.rows * d.cols;
  const x = new Float32Array(new SharedArrayBuffer(t.length * px * 4));
  const y = new Uint8Array(new SharedArrayBuffer(t.length));
  for (let i = 0; i < t.length; i += BLOCK_ROWS) {
    const part = toSplit(d, t.subarray(i, i + BLOCK_ROWS));
    x.set(part.x, i * px);
    y.set(part.y, i);
  }
  return { train: { x, y, count: t.length, rows: d.rows, cols: d.cols }, validation: toSplit(d, v) };
}

/**
 * Allocate the buffers for `ranks` replicas of a model with `params` trainable numbers. The training
 * data is used in place when it already lives in shared memory ({@link shareSplit}), else copied.
 */
export function allocateShared(ranks: number, params: number, train: Split): SharedBuffers {
  const shared = shareSplit(train);
  const trainX = shared.x.buffer as SharedArrayBuffer;
  const trainY = shared.y.buffer as SharedArrayBuffer;
  const y = shared.y;
  return {
    control: new SharedArrayBuffer(CTL_LENGTH * 4),
    grads: new SharedArrayBuffer(2 * ranks * params * 4),
    weights: new SharedArrayBuffer(params * 4),
    stats: new SharedArrayBuffer(2 * ranks * 2 * 8),
    hashes: new SharedArrayBuffer(ranks * 4),
    order: new SharedArrayBuffer(y.length * 4),
    trainX,
    trainY,
  };
}

/** Views over shared buffers. */
export function viewShared(b: SharedBuffers): SharedViews {
  return {
    control: new Int32Array(b.control),
    grads: new Float32Array(b.grads),
    weights: new Float32Array(b.weights),
    stats: new Float64Array(b.stats),
    hashes: new Int32Array(b.hashes),
    order: new Uint32Array(b.order),
    trainX: new Float32Array(b.trainX),
    trainY: new Uint8Array(b.trainY),
  };
}

/**
 * The rows of a global batch of `size` that replica `rank` of `ranks` trains on: contiguous, in rank
 * order, sizes differing by at most one (so the union over ranks is exactly the single-thread batch).
 */
export function shardOf(size: number, rank: number, ranks: number): { offset: number; size: number } {
  const base = Math.floor(size / ranks),
    extra = size % ranks;
  const offset = rank * base + Math.min(rank, extra);
  return { offset, size: base + (rank < extra ? 1 : 0) };
}
