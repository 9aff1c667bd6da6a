import * as tf from '@tensorflow/tfjs';

/** LeCun's squashing constants: f(a) = A tanh(S a) with A = 1.7159, S = 2/3, so f(1) = 1 and f(-1) = -1. */
export const LECUN_AMPLITUDE = 1.7159;
export const LECUN_SLOPE = 2 / 3;

/** Configuration of {@link ScaledTanh}. */
export interface ScaledTanhArgs {
  amplitude?: number;
  slope?: number;
  name?: string;
}

/**
 * The 1998 LeNet-5 squashing function `amplitude * tanh(slope * x)` as a weightless layer. tfjs has only the
 * plain tanh; the scaled one keeps unit gain around the origin and puts the +/-1 targets of the RBF
 * bitmaps where the curve bends most, which is why the paper chose it.
 */
export class ScaledTanh extends tf.layers.Layer {
  static className = 'ScaledTanh';
  readonly amplitude: number;
  readonly slope: number;

  constructor(args: ScaledTanhArgs = {}) {
    super({ name: args.name });
    this.amplitude = args.amplitude ?? LECUN_AMPLITUDE;
    this.slope = args.slope ?? LECUN_SLOPE;
    if (!Number.isFinite(this.amplitude) || !Number.isFinite(this.slope)) {
      throw new Error(`ScaledTanh: amplitude and slope must be finite, got ${this.amplitude}, ${this.slope}`);
    }
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      // The export writes the same three ops in the same order (Mul, Tanh, Mul) for bit-close parity.
      return tf.mul(tf.tanh(tf.mul(x, this.slope)), this.amplitude);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), amplitude: this.amplitude, slope: this.slope };
  }
}

tf.serialization.registerClass(ScaledTanh);
