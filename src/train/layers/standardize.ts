import * as tf from '@tensorflow/tfjs';

/** Configuration of {@link Standardize}. */
export interface StandardizeArgs {
  /** Value subtracted from every input element. */
  mean: number;
  /** Value every centred element is divided by (must be > 0). */
  std: number;
  name?: string;
}

/**
 * `(x - mean) / std` as a layer, so the normalisation is part of the saved model (and its ONNX export)
 * rather than something every caller must remember. No weights.
 */
export class Standardize extends tf.layers.Layer {
  static className = 'Standardize';
  readonly mean: number;
  readonly std: number;

  constructor(args: StandardizeArgs) {
    super({ name: args.name });
    if (!(args.std > 0)) throw new Error(`Standardize: std must be > 0, got ${args.std}`);
    this.mean = args.mean;
    this.std = args.std;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.div(tf.sub(x, this.mean), this.std);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), mean: this.mean, std: this.std };
  }
}

tf.serialization.registerClass(Standardize);
