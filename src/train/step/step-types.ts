import type * as tf from '@tensorflow/tfjs';

/** Mean loss and correct predictions of one batch (or shard), as a step computed them. */
export interface StepResult {
  /** Mean softmax cross-entropy of the rows, unweighted. */
  meanLoss: number;
  /** Rows whose most probable class is the labelled one. */
  hits: number;
}

/**
 * One training step's gradient computation: the gradient of `weight` x (mean cross-entropy of the rows)
 * with respect to every trainable weight, written to a flat array in `model.trainableWeights` order.
 */
export interface GradientStep {
  /** `chain`: the backward pass written out for a chain of known layers; `autodiff`: tf.variableGrads. */
  readonly kind: 'chain' | 'autodiff';
  /**
   * What runs a chain step: `tfjs`, the backend's kernels, or `own`, our fused wasm kernels
   * (fused-step.ts). Absent for autodiff.
   */
  readonly kernels?: 'tfjs' | 'own';
  /** Why the chain step was not used (autodiff only), or why our own kernels were not (a tfjs chain step). */
  readonly reason?: string;
  /**
   * @param x the rows, in the model's input shape.
   * @param y one-hot labels, `rows x classes`.
   * @param weight factor on the mean loss (a shard's share of the batch; 1 for a whole batch).
   * @param out receives the gradient, flat, `trainableWeights` order.
   * @param weights the weights to differentiate at, flat, `trainableWeights` order, instead of the model's
   *   variables: only for a step with {@link takesFlatWeights}.
   */
  run(x: tf.Tensor, y: Float32Array, weight: number, out: Float32Array, weights?: Float32Array): StepResult;
  /**
   * The step can take the weights as a flat array (run's `weights`): a training loop that keeps them flat
   * then need not write the model's variables every step, only before anyone reads them.
   */
  readonly takesFlatWeights?: boolean;
  /**
   * The forward pass alone, at the model's variables: mean loss and hits of the rows, no gradient. Present
   * where it is cheaper than the model's own predict (our kernels); evaluation uses it.
   * @param x the rows, in the model's input shape.
   * @param y one-hot labels, `rows x classes`.
   */
  forward?(x: tf.Tensor, y: Float32Array): StepResult;
}
