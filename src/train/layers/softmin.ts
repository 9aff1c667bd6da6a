import * as tf from '@tensorflow/tfjs';

/** Configuration of {@link Softmin}. */
export interface SoftminArgs {
  /** Penalties are multiplied by this (> 0) before the softmax; 1 = plain softmin. */
  scale?: number;
  name?: string;
}

/**
 * Probabilities from penalties: softmax(-scale * x) over the last axis. Turns the RBF distances into the
 * `probabilities` output every lenet-onnx model has, so the classic network trains with the same
 * cross-entropy and exports with the same output contract. No weights.
 */
export class Softmin extends tf.layers.Layer {
  static className = 'Softmin';
  readonly scale: number;

  constructor(args: SoftminArgs = {}) {
    super({ name: args.name });
    this.scale = args.scale ?? 1;
    if (!(this.scale > 0) || !Number.isFinite(this.scale))
      throw new Error(`Softmin: scale must be a finite number > 0, got ${this.scale}`);
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    // One multiplication by -scale, the operation the ONNX export writes (Mul, then Softmax).
    return tf.tidy(() => tf.softmax(tf.mul(Array.isArray(inputs) ? inputs[0] : inputs, -this.scale)));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), scale: this.scale };
  }
}

tf.serialization.registerClass(Softmin);
