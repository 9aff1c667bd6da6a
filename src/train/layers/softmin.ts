import * as tf from '@tensorflow/tfjs';

/**
 * Probabilities from penalties: softmax(-x) over the last axis. Turns the RBF distances into the
 * `probabilities` output every lenet-onnx model has, so the classic network trains with the same
 * cross-entropy and exports with the same output contract. No weights.
 */
export class Softmin extends tf.layers.Layer {
  static className = 'Softmin';

  constructor(args: { name?: string } = {}) {
    super({ name: args.name });
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => tf.softmax(tf.neg(Array.isArray(inputs) ? inputs[0] : inputs)));
  }
}

tf.serialization.registerClass(Softmin);
