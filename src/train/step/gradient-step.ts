import * as tf from '@tensorflow/tfjs';
import { compileChainStep } from './chain-step.js';
import { compileFusedStep } from './fused-step.js';
import { correct, crossEntropy } from './loss.js';
import type { GradientStep, StepResult } from './step-types.js';

export type { GradientStep, StepResult } from './step-types.js';

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
 * ({@link compileChainStep}), else autodiff; on the wasm backend the chain step runs on our own kernels
 * ({@link compileFusedStep}) where they cover the chain. `chain: false` forces autodiff, `ownKernels: false`
 * the chain step on tfjs kernels (tests compare them).
 */
export function gradientStep(model: tf.LayersModel, o: { chain?: boolean; ownKernels?: boolean } = {}): GradientStep {
  if (o.chain === false) return autodiffStep(model, 'chain step turned off');
  const chain = compileChainStep(model);
  if ('unsupported' in chain) return autodiffStep(model, chain.unsupported);
  // Our kernels replace the backend's on wasm only: every other backend keeps its own arithmetic.
  if (o.ownKernels === false || tf.getBackend() !== 'wasm') return chain;
  const fused = compileFusedStep(model);
  return 'unsupported' in fused ? { ...chain, reason: fused.unsupported } : fused;
}
