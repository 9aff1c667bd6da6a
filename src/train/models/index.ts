import type * as tf from '@tensorflow/tfjs';
import { buildLenet5, type BuildOptions } from './lenet5.js';

/** Architectures `train --arch` accepts, each with its builder. */
export const ARCHITECTURES: Record<string, { build: (o: BuildOptions) => tf.LayersModel; description: string }> = {
  lenet5: { build: buildLenet5, description: 'improved LeNet-5: ReLU, max-pooling, softmax (default)' },
};

/** Default architecture name. */
export const DEFAULT_ARCH = 'lenet5';
