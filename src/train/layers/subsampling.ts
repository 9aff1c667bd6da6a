import * as tf from '@tensorflow/tfjs';

/** Configuration of {@link Subsampling}. */
export interface SubsamplingArgs {
  /** Side of the square block that is summed; blocks do not overlap (stride = pool size). Default 2. */
  poolSize?: number;
  name?: string;
}

/**
 * LeNet-5's trainable sub-sampling (S2, S4): every non-overlapping `poolSize` x `poolSize` block of a
 * feature map is summed, multiplied by one trainable coefficient per map, and shifted by one trainable
 * bias per map. Two parameters per map; the squashing is a separate {@link ScaledTanh} layer.
 *
 * Input and output are NHWC. The block sum is computed as average * (poolSize^2), because tfjs has an
 * average pool with a gradient on every backend and no sum pool; the power-of-two factor is exact.
 */
export class Subsampling extends tf.layers.Layer {
  static className = 'Subsampling';
  readonly poolSize: number;
  private coefficient?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: SubsamplingArgs = {}) {
    super({ name: args.name });
    this.poolSize = args.poolSize ?? 2;
    if (!Number.isInteger(this.poolSize) || this.poolSize < 1) {
      throw new Error(`Subsampling: poolSize must be a positive integer, got ${this.poolSize}`);
    }
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const maps = shape[shape.length - 1];
    if (typeof maps !== 'number') throw new Error('Subsampling: the channel dimension must be known');
    // Start as a plain average (sum / block size), the neutral choice the coefficients learn away from.
    this.coefficient = this.addWeight(
      'coefficient',
      [maps],
      'float32',
      tf.initializers.constant({ value: 1 / (this.poolSize * this.poolSize) }),
    );
    this.bias = this.addWeight('bias', [maps], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const p = this.poolSize;
    const cut = (d: number | null) => (d === null ? null : Math.floor(d / p));
    return [s[0], cut(s[1]), cut(s[2]), s[3]];
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      const p = this.poolSize;
      const sumScale = tf.mul(this.coefficient!.read(), p * p);
      return tf.add(tf.mul(tf.avgPool(x, p, p, 'valid'), sumScale), this.bias!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), poolSize: this.poolSize };
  }
}

tf.serialization.registerClass(Subsampling);
