import * as tf from '@tensorflow/tfjs';

/**
 * Probabilities are clipped to [CLIP_EPSILON, 1 - CLIP_EPSILON] inside the cross-entropy, as Keras and tfjs do,
 * so log(0) never happens. The chain step's written-out loss gradient uses the same bounds.
 */
export const CLIP_EPSILON = 1e-7;

/** Mean softmax cross-entropy of one-hot `yTrue` against predicted probabilities (clipped like Keras). */
export function crossEntropy(yTrue: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(
    () =>
      tf.neg(
        tf.mean(tf.sum(tf.mul(yTrue, tf.log(tf.clipByValue(probs, CLIP_EPSILON, 1 - CLIP_EPSILON))), -1)),
      ) as tf.Scalar,
  );
}

/** Correct predictions: rows whose arg-max probability is the labelled class. */
export function correct(yTrue: tf.Tensor, probs: tf.Tensor): tf.Scalar {
  return tf.tidy(() => tf.sum(tf.cast(tf.equal(tf.argMax(probs, -1), tf.argMax(yTrue, -1)), 'float32')));
}
