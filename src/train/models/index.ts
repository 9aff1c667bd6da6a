import type * as tf from '@tensorflow/tfjs';
import { buildClassic } from './classic.js';
import { buildLenet5, type BuildOptions } from './lenet5.js';

/** Architectures `train --arch` accepts, each with its builder. */
export const ARCHITECTURES: Record<string, { build: (o: BuildOptions) => tf.LayersModel; description: string; symbols?: string[] }> = {
  lenet5: { build: buildLenet5, description: 'improved LeNet-5: ReLU, max-pooling, softmax (default)' },
  // Its RBF output compares against one hand-drawn 7x12 bitmap per class, and there are bitmaps for digits only.
  classic: { build: buildClassic, description: 'the 1998 LeNet-5: scaled tanh, trainable sub-sampling, C3 connection table, RBF output', symbols: ['digits'] },
};

/** Default architecture name. */
export const DEFAULT_ARCH = 'lenet5';
