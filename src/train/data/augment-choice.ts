import { createHash } from 'node:crypto';
import type * as tf from '@tensorflow/tfjs';
import type { IdxDataset } from '../../data/idx.js';
import { evaluate, trainModel } from '../train.js';
import type { Split } from './dataset.js';

/** `--augment`: decide from the data (`auto`), or force it. */
export type AugmentMode = 'auto' | 'on' | 'off';
export const AUGMENT_MODES: readonly AugmentMode[] = ['auto', 'on', 'off'];

/** Figures of the probe {@link probeAugmentation} ran. */
export interface AugmentProbe {
  trainSamples: number;
  validationSamples: number;
  /** Validation accuracy after the short run with augmented and with plain pictures. */
  accuracyAugmented: number;
  accuracyPlain: number;
  /** How far below plain the augmented run may fall before augmentation is turned off. */
  margin: number;
  seconds: number;
}

/** What was decided about augmentation, and why (printed by `train` and kept in history.json). */
export interface AugmentDecision {
  mode: AugmentMode;
  augment: boolean;
  reason: string;
  probe?: AugmentProbe;
}

/**
 * SHA-256 of MNIST's training file (pictures, then labels, without the IDX headers): the data the default
 * distortions were chosen on, recognised by content wherever it lies and however it is compressed.
 */
export const MNIST_TRAIN_SHA256 = 'edc0d1098aa497be14ace79ddd5171e5a3dcf9c4d196c015389203eb3ba1f59b';

/** SHA-256 of a dataset's pictures and labels (see {@link MNIST_TRAIN_SHA256}). */
export function datasetSha256(d: IdxDataset): string {
  return createHash('sha256').update(d.images).update(d.labels).digest('hex');
}

/** Whether `d` is MNIST's own training file. */
export function isMnistTrain(d: IdxDataset): boolean {
  return d.count === 60000 && d.rows === 28 && d.cols === 28 && datasetSha256(d) === MNIST_TRAIN_SHA256;
}

/** Sizes of the probe: a fraction of an epoch, so it costs seconds, not minutes. */
export const PROBE_LIMITS = { trainSamples: 3200, validationSamples: 2000, minMargin: 0.02 } as const;

/** `n` rows spread evenly over a split, so appended parts (synthesised symbols) are sampled too. */
function spread(s: Split, n: number): Split {
  if (n >= s.count) return s;
  const px = s.rows * s.cols;
  const x = new Float32Array(n * px),
    y = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const r = Math.floor((i * s.count) / n);
    x.set(s.x.subarray(r * px, (r + 1) * px), i * px);
    y[i] = s.y[r];
  }
  return { ...s, x, y, count: n };
}

/**
 * Train two fresh models from the same seed for one pass over a sample of the training split, one on
 * augmented and one on plain pictures, and compare them on the validation split. Augmentation is kept
 * unless it costs clearly: a short run always favours plain pictures a little (they are the easier task),
 * so the augmented run may fall `margin` below (two standard errors of the difference, at least
 * {@link PROBE_LIMITS}.minMargin). Every random stream is made afresh from `seed`, so the probe leaves the
 * real run's streams untouched.
 */
export async function probeAugmentation(
  build: () => tf.LayersModel,
  train: Split,
  validation: Split,
  o: { batchSize: number; learningRate: number; seed: number },
): Promise<AugmentProbe> {
  const t0 = performance.now();
  const t = spread(train, PROBE_LIMITS.trainSamples);
  const v = spread(validation, PROBE_LIMITS.validationSamples);
  const once = async (augment: boolean) => {
    const model = build();
    try {
      await trainModel(model, t, v, {
        epochs: 1,
        batchSize: Math.min(o.batchSize, t.count),
        learningRate: o.learningRate,
        lrSchedule: 'constant',
        augment,
        seed: o.seed,
      });
      return evaluate(model, v).accuracy;
    } finally {
      model.dispose();
    }
  };
  const accuracyAugmented = await once(true);
  const accuracyPlain = await once(false);
  const variance = (p: number) => (p * (1 - p)) / v.count;
  const margin = Math.max(PROBE_LIMITS.minMargin, 2 * Math.sqrt(variance(accuracyAugmented) + variance(accuracyPlain)));
  return {
    trainSamples: t.count,
    validationSamples: v.count,
    accuracyAugmented,
    accuracyPlain,
    margin,
    seconds: (performance.now() - t0) / 1000,
  };
}

const pct = (p: number) => `${(p * 100).toFixed(1)}%`;

/**
 * Decide whether to augment. `on`/`off` are obeyed. `auto` recognises MNIST's own training file (the data
 * the distortions were chosen on) and augments without running anything, so a default run draws exactly
 * the random numbers it always did; for any other data it runs {@link probeAugmentation}.
 */
export async function decideAugmentation(
  mode: AugmentMode,
  trainFile: IdxDataset,
  probe: () => Promise<AugmentProbe>,
): Promise<AugmentDecision> {
  if (mode === 'on') return { mode, augment: true, reason: '--augment on' };
  if (mode === 'off') return { mode, augment: false, reason: '--augment off' };
  if (isMnistTrain(trainFile)) {
    return { mode, augment: true, reason: "MNIST's own training file, on which the distortions were chosen" };
  }
  const p = await probe();
  const augment = p.accuracyAugmented >= p.accuracyPlain - p.margin;
  const figures = `validation accuracy ${pct(p.accuracyAugmented)} augmented vs ${pct(p.accuracyPlain)} plain after ${p.trainSamples} samples (margin ${pct(p.margin)})`;
  return {
    mode,
    augment,
    probe: p,
    reason: augment
      ? `not MNIST; a probe found the distortions harmless: ${figures}`
      : `not MNIST; a probe found the distortions hurt (they seem to change what a picture shows): ${figures}`,
  };
}
