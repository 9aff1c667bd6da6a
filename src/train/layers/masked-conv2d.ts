import * as tf from '@tensorflow/tfjs';

/** A tfjs weight initialiser (tfjs exports the factory functions but not their return type by name). */
export type Initializer = ReturnType<typeof tf.initializers.zeros>;

/** Configuration of {@link MaskedConv2D}. */
export interface MaskedConv2DArgs {
  /**
   * Connection table: `connections[o]` lists the input maps output map `o` sees (the classic C3 table,
   * or any other). Its length is the number of output maps.
   */
  connections: number[][];
  /** Number of input maps; every index in `connections` must be below it. */
  inputMaps: number;
  /** Square kernel side. Default 5. */
  kernelSize?: number;
  kernelInitializer?: Initializer;
  name?: string;
}

/** Flat list of (input map, output map) pairs in table order: output map first, then its inputs as listed. */
export function connectionPairs(connections: number[][]): Array<[number, number]> {
  return connections.flatMap((ins, o) => ins.map((i) => [i, o] as [number, number]));
}

/**
 * A valid, stride-1 convolution in which each output map sees only some input maps (LeNet-5's C3).
 *
 * Only the weights of real connections exist: `kernel` has shape [kh, kw, connections] and `bias`
 * [outputMaps], so the layer's trainable parameters are exactly the paper's count (C3: 60 * 25 + 16 =
 * 1,516) for every counter that reads the weights (training history, model card, `inspect`). In `call()`
 * the free weights are scattered into the dense HWIO kernel, with zeros for the missing connections, by
 * a product with a constant 0/1 placement matrix: a MatMul, whose gradient every backend has (a gather
 * would need UnsortedSegmentSum, which the wasm backend lacks), and exact, since each dense entry is one
 * weight times 1 plus zeros.
 */
export class MaskedConv2D extends tf.layers.Layer {
  static className = 'MaskedConv2D';
  readonly connections: number[][];
  readonly inputMaps: number;
  readonly kernelSize: number;
  private readonly initializer: Initializer;
  private kernel?: tf.LayerVariable;
  private bias?: tf.LayerVariable;

  constructor(args: MaskedConv2DArgs) {
    super({ name: args.name });
    this.kernelSize = args.kernelSize ?? 5;
    this.inputMaps = args.inputMaps;
    this.connections = args.connections.map((c) => [...c]);
    this.initializer = args.kernelInitializer ?? tf.initializers.glorotUniform({});
    validateTable(this.connections, this.inputMaps, this.kernelSize);
  }

  /** Number of output maps. */
  get outputMaps(): number {
    return this.connections.length;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    if (shape[3] !== this.inputMaps) {
      throw new Error(`MaskedConv2D '${this.name}': expected ${this.inputMaps} input maps, got ${shape[3]}`);
    }
    const k = this.kernelSize;
    this.kernel = this.addWeight(
      'kernel',
      [k, k, connectionPairs(this.connections).length],
      'float32',
      this.initializer,
    );
    this.bias = this.addWeight('bias', [this.outputMaps], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    const s = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const k = this.kernelSize;
    const cut = (d: number | null) => (d === null ? null : d - k + 1);
    return [s[0], cut(s[1]), cut(s[2]), this.outputMaps];
  }

  /** 0/1 matrix [connections, inputMaps * outputMaps]: row c has its 1 at column (i * outputMaps + o). */
  private placement(): tf.Tensor2D {
    const pairs = connectionPairs(this.connections);
    const cols = this.inputMaps * this.outputMaps;
    const m = new Float32Array(pairs.length * cols);
    pairs.forEach(([i, o], c) => {
      m[c * cols + i * this.outputMaps + o] = 1;
    });
    return tf.tensor2d(m, [pairs.length, cols]);
  }

  /** The dense HWIO kernel [k, k, inputMaps, outputMaps] this layer convolves with (zeros where unconnected). */
  denseKernel(): tf.Tensor4D {
    return tf.tidy(() => {
      const k = this.kernelSize;
      const free = tf.reshape(this.kernel!.read(), [k * k, -1]);
      return tf.reshape(tf.matMul(free, this.placement()), [k, k, this.inputMaps, this.outputMaps]) as tf.Tensor4D;
    });
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor4D;
      return tf.add(tf.conv2d(x, this.denseKernel(), 1, 'valid'), this.bias!.read());
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      connections: this.connections,
      inputMaps: this.inputMaps,
      kernelSize: this.kernelSize,
    };
  }
}

function validateTable(connections: number[][], inputMaps: number, kernelSize: number): void {
  if (!Number.isInteger(inputMaps) || inputMaps < 1)
    throw new Error(`MaskedConv2D: inputMaps must be a positive integer, got ${inputMaps}`);
  if (!Number.isInteger(kernelSize) || kernelSize < 1)
    throw new Error(`MaskedConv2D: kernelSize must be a positive integer, got ${kernelSize}`);
  if (connections.length === 0) throw new Error('MaskedConv2D: the connection table has no output maps');
  connections.forEach((ins, o) => {
    if (ins.length === 0) throw new Error(`MaskedConv2D: output map ${o} sees no input map`);
    if (new Set(ins).size !== ins.length)
      throw new Error(`MaskedConv2D: output map ${o} lists an input map twice: ${ins.join(',')}`);
    for (const i of ins) {
      if (!Number.isInteger(i) || i < 0 || i >= inputMaps) {
        throw new Error(`MaskedConv2D: output map ${o} names input map ${i}; expected 0..${inputMaps - 1}`);
      }
    }
  });
}

tf.serialization.registerClass(MaskedConv2D);
