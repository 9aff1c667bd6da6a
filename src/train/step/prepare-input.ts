import type * as tf from '@tensorflow/tfjs';

/** Writes the prepared rows of a batch of `n` input rows `src` to `dst`. */
export type Prepare = (src: Float32Array, n: number, dst: Float32Array) => void;

interface Op {
  apply(src: Float32Array, n: number, dst: Float32Array): void;
  /** Floats per row after this op. */
  size: number;
  /** Whether `apply` may read and write the same array. */
  inPlace: boolean;
}

/**
 * The weightless layers that prepare a chain's input, computed in JavaScript when they are only zero
 * padding and standardising (the LeNet-5 contract), or undefined (then they run on tfjs). Same results as
 * tfjs: Standardize is (x - mean) / std with float32 operands and float32 rounding after each operation.
 * `shape` is the model's input shape without the batch axis.
 */
export function nativePrepare(layers: tf.layers.Layer[], shape: number[]): Prepare | undefined {
  if (shape.length !== 3) return undefined;
  let [H, W] = shape;
  const C = shape[2];
  const ops: Op[] = [];
  for (const l of layers) {
    const c = l.getConfig() as { padding?: number[][]; dataFormat?: string; mean?: number; std?: number };
    if (l.getClassName() === 'ZeroPadding2D' && c.dataFormat === 'channelsLast' && Array.isArray(c.padding)) {
      const [[top, bottom], [left, right]] = c.padding;
      ops.push(pad(H, W, C, top, bottom, left, right));
      H += top + bottom;
      W += left + right;
    } else if (l.getClassName() === 'Standardize' && typeof c.mean === 'number' && typeof c.std === 'number') {
      ops.push(standardize(Math.fround(c.mean), Math.fround(c.std), H * W * C));
    } else {
      return undefined;
    }
  }
  // An op writes straight to dst when every op after it can work in place there (padding then
  // standardising: one pass each, no temporary batch).
  const direct = ops.map((_, i) => ops.slice(i + 1).every((o) => o.inPlace));
  return (src, n, dst) => {
    let a = src;
    ops.forEach((op, i) => {
      const out = direct[i] ? dst.subarray(0, n * op.size) : new Float32Array(n * op.size);
      op.apply(a, n, out);
      a = out;
    });
    if (ops.length === 0) dst.set(src.subarray(0, dst.length));
  };
}

function pad(H: number, W: number, C: number, top: number, bottom: number, left: number, right: number): Op {
  const outW = W + left + right,
    outRows = H + top + bottom,
    row = W * C;
  return {
    size: outRows * outW * C,
    inPlace: false,
    apply(src, n, dst) {
      dst.fill(0, 0, n * outRows * outW * C);
      for (let i = 0; i < n; i++) {
        for (let y = 0; y < H; y++) {
          const from = (i * H + y) * row,
            to = ((i * outRows + y + top) * outW + left) * C;
          for (let j = 0; j < row; j++) dst[to + j] = src[from + j];
        }
      }
    },
  };
}

function standardize(mean: number, std: number, size: number): Op {
  return {
    size,
    inPlace: true,
    apply(src, n, dst) {
      for (let i = 0, end = n * size; i < end; i++) dst[i] = Math.fround(src[i] - mean) / std;
    },
  };
}
