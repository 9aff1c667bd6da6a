import * as tf from '@tensorflow/tfjs';
import { EuclideanRbf } from '../layers/euclidean-rbf.js';
import { MaskedConv2D, type Initializer } from '../layers/masked-conv2d.js';
import { ScaledTanh } from '../layers/scaled-tanh.js';
import { Softmin } from '../layers/softmin.js';
import { Subsampling } from '../layers/subsampling.js';
import { MNIST_CONTRACT } from './mnist-contract.js';
import { contractInput, type BuildOptions } from './lenet5.js';

/**
 * The C3 connection table of the 1998 paper (its Table I), as the S2 maps each C3 map sees: maps 0-5
 * take three neighbouring maps, 6-11 four neighbouring, 12-14 four non-neighbouring, 15 all six.
 * 60 connections, so 60 * 25 weights + 16 biases = 1,516 parameters.
 */
export const C3_CONNECTIONS: readonly (readonly number[])[] = [
  [0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5], [4, 5, 0], [5, 0, 1],
  [0, 1, 2, 3], [1, 2, 3, 4], [2, 3, 4, 5], [3, 4, 5, 0], [4, 5, 0, 1], [5, 0, 1, 2],
  [0, 1, 3, 4], [1, 2, 4, 5], [0, 2, 3, 5],
  [0, 1, 2, 3, 4, 5],
];

/** Trainable parameters per layer as the paper counts them; 60,000 in all. */
export const CLASSIC_PAPER_PARAMETERS: Readonly<Record<string, number>> = {
  c1: 156, s2: 12, c3: 1516, s4: 32, c5: 48120, f6: 10164,
};

/**
 * Uniform weights with variance 1 / fan-in, what LeCun et al. recommend for this squashing function
 * ("Efficient BackProp", 1998): unit-variance pre-activations, the steep part of the scaled tanh. The
 * LeNet-5 paper's own +/-2.4 / fan-in starts smaller and learns more slowly with Adam (docs/training.md).
 */
function lecunUniform(fanIn: number, seed: number): Initializer {
  const r = Math.sqrt(3 / fanIn);
  return tf.initializers.randomUniform({ minval: -r, maxval: r, seed });
}

/**
 * Scale of the distances in the output softmax, softmax(-SOFTMIN_SCALE * distance). Every centre has
 * the same norm (84 pixels of +/-1), so this equals softmax(2 * SOFTMIN_SCALE * x . c_k): a fixed linear
 * read-out whose sharpness this sets. With 0.07, an F6 output exactly on its bitmap wins by at least
 * 0.07 * 4 * 12 = 3.4 nats over any other digit (the bitmaps differ in >= 12 pixels): confident, not
 * saturated. With 1 the softmax saturates early, wrong samples fall below the loss's 1e-7 clip and stop
 * teaching, and float32 rounding of distances in the hundreds moves probabilities by 1e-5 between
 * runtimes. Among the scales tried, this one tested best (docs/training.md).
 */
export const SOFTMIN_SCALE = 0.07;

/**
 * The classic LeNet-5 (LeCun et al., 1998) after the shared contract layers (28 -> 32 padding,
 * standardisation): C1 conv 5x5x6, S2 trainable sub-sampling, C3 conv 5x5x16 through the connection
 * table, S4 sub-sampling, C5 conv 5x5x120, F6 dense 84, every one squashed by 1.7159 tanh(2/3 x), then
 * the ten Euclidean RBF units against fixed digit bitmaps and a softmax over the negative (scaled) distances.
 * 60,000 trainable parameters.
 */
export function buildClassic({ seed, softminScale = SOFTMIN_SCALE }: BuildOptions & { softminScale?: number }): tf.LayersModel {
  const { input, standardized } = contractInput();
  let s = seed;
  const apply = (layer: tf.layers.Layer, x: tf.SymbolicTensor | tf.SymbolicTensor[]) => layer.apply(x) as tf.SymbolicTensor;
  const squash = (name: string, x: tf.SymbolicTensor) => apply(new ScaledTanh({ name: `${name}_squash` }), x);

  let x = apply(tf.layers.conv2d({ filters: 6, kernelSize: 5, kernelInitializer: lecunUniform(25, s++), name: 'c1' }), standardized);
  x = squash('c1', x);
  x = squash('s2', apply(new Subsampling({ name: 's2' }), x));
  // Each C3 map's fan-in is its own connection count times 25; 25 * 4 is the typical one.
  x = squash('c3', apply(new MaskedConv2D({ connections: C3_CONNECTIONS.map((c) => [...c]), inputMaps: 6, kernelSize: 5, kernelInitializer: lecunUniform(100, s++), name: 'c3' }), x));
  x = squash('s4', apply(new Subsampling({ name: 's4' }), x));
  x = squash('c5', apply(tf.layers.conv2d({ filters: 120, kernelSize: 5, kernelInitializer: lecunUniform(400, s++), name: 'c5' }), x));
  x = apply(tf.layers.flatten({ name: 'flatten' }), x);
  x = squash('f6', apply(tf.layers.dense({ units: 84, kernelInitializer: lecunUniform(120, s++), name: 'f6' }), x));
  const distances = apply(new EuclideanRbf({ name: 'rbf' }), x);
  const output = apply(new Softmin({ scale: softminScale, name: MNIST_CONTRACT.outputName }), distances);
  return tf.model({ inputs: input, outputs: output, name: 'lenet5_classic' });
}
