import type { IdxDataset } from '../../data/idx.js';
import { augmentPicture, sampleSeed } from './augment.js';
import { permutation, seededRandom } from './rng.js';

/** Pictures as model-ready floats: [count, rows, cols, 1] in [0, 1], ink high, with integer labels. */
export interface Split {
  x: Float32Array;
  y: Uint8Array;
  count: number;
  rows: number;
  cols: number;
}

/** Scale bytes 0..255 to floats 0..1 (MNIST is already ink-high, so no inversion). */
export function toSplit(d: IdxDataset, indices?: ArrayLike<number>): Split {
  const px = d.rows * d.cols;
  const n = indices ? indices.length : d.count;
  const x = new Float32Array(n * px);
  const y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const src = indices ? indices[i] : i;
    const base = src * px;
    for (let j = 0; j < px; j++) x[i * px + j] = d.images[base + j] / 255;
    y[i] = d.labels[src];
  }
  return { x, y, count: n, rows: d.rows, cols: d.cols };
}

/**
 * Seeded train/validation split of MNIST's training file: a permutation of all rows, the first
 * `validation` rows for validation and the next `train` rows (default: all the rest) for training.
 */
export function splitTrainValidation(
  d: IdxDataset,
  validation: number,
  seed: number,
  train?: number,
): { train: Split; validation: Split } {
  const { train: t, validation: v } = splitRows(d.count, validation, seed, train);
  return { train: toSplit(d, t), validation: toSplit(d, v) };
}

/**
 * The rows of {@link splitTrainValidation}: a seeded permutation of `count` rows, the first `validation` of them
 * for validation and the next `train` (default: all the rest) for training.
 */
export function splitRows(
  count: number,
  validation: number,
  seed: number,
  train?: number,
): { train: Uint32Array; validation: Uint32Array } {
  const perm = permutation(count, seededRandom(seed));
  return {
    validation: perm.subarray(0, validation),
    train: perm.subarray(validation, train === undefined ? count : validation + train),
  };
}

/** The first `limit` rows of a dataset (all when limit is undefined). */
export function head(d: IdxDataset, limit?: number): Split {
  if (limit === undefined || limit >= d.count) return toSplit(d);
  return toSplit(
    d,
    Array.from({ length: limit }, (_, i) => i),
  );
}

/** Which random distortion each picture of a batch gets (see {@link gatherBatch}). */
export interface BatchAugment {
  seed: number;
  /** Optimizer step of the batch. */
  step: number;
  /** Position of the first gathered row within the whole batch (a worker's shard offset). */
  offset: number;
}

/**
 * Copy the rows `order[start..start+size)` of a split into one batch: pixels and one-hot labels.
 * With `augment`, each picture is randomly distorted, drawn from (seed, step, position in the batch), so
 * the batch is the same however many workers share it.
 */
export function gatherBatch(
  s: Split,
  order: ArrayLike<number>,
  start: number,
  size: number,
  classes: number,
  augment?: BatchAugment,
): { x: Float32Array; y: Float32Array } {
  const px = s.rows * s.cols;
  const x = new Float32Array(size * px);
  const y = new Float32Array(size * classes);
  for (let i = 0; i < size; i++) {
    const r = order[start + i];
    const src = s.x.subarray(r * px, (r + 1) * px);
    if (augment) {
      const rand = seededRandom(sampleSeed(augment.seed, augment.step, augment.offset + i));
      augmentPicture(src, x.subarray(i * px, (i + 1) * px), s.rows, s.cols, rand);
    } else {
      x.set(src, i * px);
    }
    y[i * classes + s.y[r]] = 1;
  }
  return { x, y };
}
