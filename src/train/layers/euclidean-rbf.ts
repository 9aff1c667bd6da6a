import * as tf from '@tensorflow/tfjs';
import { bitmapsToCentres, DIGIT_BITMAPS } from './digit-bitmaps.js';

/** Configuration of {@link EuclideanRbf}. */
export interface EuclideanRbfArgs {
  /** One bitmap per class ('#' = +1, '.' = -1); default the ten stylised 7x12 digits. */
  bitmaps?: readonly (readonly string[])[];
  name?: string;
}

/**
 * LeNet-5's output layer: one Euclidean radial basis unit per class, y_k = sum_j (x_j - c_kj)^2, the
 * squared distance of the input vector to a fixed +1/-1 bitmap of class k. A small distance means a
 * good match. The centres are fixed by design, so they live in the layer's config (readable in
 * model.json), not in the weights: the layer has no parameters.
 *
 * Computed as broadcast difference, square, sum, the same ops the ONNX export writes, rather than the
 * expansion |x|^2 - 2 x.c + |c|^2, which cancels digits and would cost parity.
 */
export class EuclideanRbf extends tf.layers.Layer {
  static className = 'EuclideanRbf';
  readonly bitmaps: string[][];
  readonly units: number;
  readonly inputLength: number;
  private readonly centreValues: Float32Array;

  constructor(args: EuclideanRbfArgs = {}) {
    super({ name: args.name });
    this.bitmaps = (args.bitmaps ?? DIGIT_BITMAPS).map((b) => [...b]);
    const { centres, count, length } = bitmapsToCentres(this.bitmaps);
    this.centreValues = centres;
    this.units = count;
    this.inputLength = length;
  }

  /** The centres as a [units, inputLength] array of +1/-1 (a copy). */
  centres(): Float32Array {
    return this.centreValues.slice();
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape.length !== 2 || shape[1] !== this.inputLength) {
      throw new Error(
        `EuclideanRbf '${this.name}': expected input [N, ${this.inputLength}] (one value per bitmap pixel), got [${shape.join(', ')}]`,
      );
    }
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return [s[0], this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const c = tf.tensor2d(this.centreValues, [this.units, this.inputLength]);
      // [N, 1, L] - [K, L] -> [N, K, L]
      const d = tf.sub(tf.expandDims(x, 1), c);
      return tf.sum(tf.mul(d, d), 2);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), bitmaps: this.bitmaps };
  }
}

tf.serialization.registerClass(EuclideanRbf);
