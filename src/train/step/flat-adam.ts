import * as tf from '@tensorflow/tfjs';

/**
 * Adam over all trainable weights as one JavaScript pass, the update of `tf.train.adam` (same moments,
 * bias correction and epsilon placement) without its few small kernels per variable per step, whose
 * launches on the wasm backend cost more than the update itself (the step profile of BENCHMARKS.md). The
 * moments are kept in float32 like tfjs's, the arithmetic of one update runs in double precision, so
 * results agree with `tf.train.adam` up to float rounding, and the same inputs give the same bits on
 * every thread.
 */
export class FlatAdam {
  /** Trainable numbers in all (the length of the flat gradient {@link step} takes). */
  readonly size: number;
  private readonly m: Float32Array;
  private readonly v: Float32Array;
  private readonly w: Float32Array;
  private beta1Power = 1;
  private beta2Power = 1;
  private steps = 0;

  constructor(
    private readonly vars: tf.Variable[],
    /** A fixed rate, or the rate of each step (0-based) for a schedule. */
    private readonly learningRate: number | ((step: number) => number),
    private readonly beta1 = 0.9,
    private readonly beta2 = 0.999,
    private readonly epsilon = tf.backend().epsilon(),
  ) {
    this.size = vars.reduce((s, x) => s + x.size, 0);
    this.m = new Float32Array(this.size);
    this.v = new Float32Array(this.size);
    this.w = new Float32Array(this.size);
  }

  /** One update with `grad`: the variables' gradients concatenated in the order of the variable list. */
  step(grad: Float32Array): void {
    if (grad.length !== this.size)
      throw new Error(`FlatAdam: gradient of ${grad.length} numbers for ${this.size} weights`);
    // Read the weights every step rather than keep a master copy: whatever else assigns them is honoured.
    readWeights(this.vars, this.w);
    this.update(this.w, grad, 0, this.size);
    writeWeights(this.vars, this.w);
  }

  /**
   * One update of the flat weights `w[lo, hi)` in place, with the gradient `grad[lo, hi)`: for replicas
   * that each own a range of the weights (every replica must call it once per step, whatever its range,
   * since the step count drives the bias correction and the learning-rate schedule). The moments of a
   * range live with whoever updates it.
   */
  update(w: Float32Array, grad: Float32Array, lo: number, hi: number): void {
    const { m, v, beta1: b1, beta2: b2, epsilon: eps } = this;
    const lr = typeof this.learningRate === 'function' ? this.learningRate(this.steps) : this.learningRate;
    this.steps++;
    this.beta1Power *= b1;
    this.beta2Power *= b2;
    const c1 = 1 - this.beta1Power,
      c2 = 1 - this.beta2Power;
    for (let i = lo; i < hi; i++) {
      const g = grad[i];
      const mi = (m[i] = b1 * m[i] + (1 - b1) * g);
      const vi = (v[i] = b2 * v[i] + (1 - b2) * g * g);
      w[i] -= (lr * (mi / c1)) / (Math.sqrt(vi / c2) + eps);
    }
  }
}

/** Copy the variables' values into `flat`, concatenated in list order. */
export function readWeights(vars: tf.Variable[], flat: Float32Array): void {
  let at = 0;
  for (const x of vars) {
    flat.set(x.dataSync() as Float32Array, at);
    at += x.size;
  }
}

/** Assign the variables from `flat` (list order). */
export function writeWeights(vars: tf.Variable[], flat: Float32Array): void {
  let at = 0;
  tf.tidy(() => {
    for (const x of vars) {
      x.assign(tf.tensor(flat.slice(at, at + x.size), x.shape));
      at += x.size;
    }
  });
}
