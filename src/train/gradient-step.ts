import * as tf from '@tensorflow/tfjs';
import { compileChainStep } from './chain-step.js';
import { correct, crossEntropy } from './loss.js';

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
  /** Why the chain step was not used (autodiff only). */
  readonly reason?: string;
  /**
   * @param x the rows, in the model's input shape.
   * @param y one-hot labels, `rows x classes`.
   * @param weight factor on the mean loss (a shard's share of the batch; 1 for a whole batch).
   * @param out receives the gradient, flat, `trainableWeights` order.
   */
  run(x: tf.Tensor, y: Float32Array, weight: number, out: Float32Array): StepResult;
}

/** The general step: the model's forward pass under tf.variableGrads. Works for every model. */
export function autodiffStep(model: tf.LayersModel, reason?: string): GradientStep {
  const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
  const classes = model.outputs[0].shape[1] as number;
  return {
    kind: 'autodiff',
    reason,
    run(x, y, weight, out) {
      const rows = x.shape[0];
      let result!: StepResult;
      tf.tidy(() => {
        const yt = tf.tensor2d(y, [rows, classes]);
        let mean: tf.Scalar | undefined, hits: tf.Scalar | undefined;
        const { grads } = tf.variableGrads(() => {
          const p = model.apply(x, { training: true }) as tf.Tensor;
          // Kept: variableGrads disposes everything its function made except the loss it returns.
          mean = tf.keep(crossEntropy(yt, p));
          hits = tf.keep(correct(yt, p));
          return tf.mul(mean, weight) as tf.Scalar;
        }, vars);
        let at = 0;
        for (const v of vars) {
          out.set(grads[v.name].dataSync() as Float32Array, at);
          at += v.size;
        }
        result = { meanLoss: mean!.dataSync()[0], hits: hits!.dataSync()[0] };
        // tf.keep lifts them out of every scope, the tidy included.
        tf.dispose([mean!, hits!]);
      });
      return result;
    },
  };
}

/**
 * The fastest step `model` allows: the written-out chain step when every layer is one it knows
 * ({@link compileChainStep}), else autodiff. `chain: false` forces autodiff (tests compare the two).
 */
export function gradientStep(model: tf.LayersModel, o: { chain?: boolean } = {}): GradientStep {
  if (o.chain === false) return autodiffStep(model, 'chain step turned off');
  const chain = compileChainStep(model);
  return 'unsupported' in chain ? autodiffStep(model, chain.unsupported) : chain;
}
