import * as ort from 'onnxruntime-node';
import { nchwToNhwc, nhwcToNchw } from './layout.js';

/** A batch of tfjs-layout inputs: NHWC for images. */
export interface TfjsBatch {
  data: Float32Array;
  /** Full tfjs shape including the batch size. */
  shape: number[];
}

/** An onnxruntime-node session over ONNX bytes, fed and read in tfjs layout. */
export class OnnxRunner {
  private constructor(
    private readonly session: ort.InferenceSession,
    private readonly inputLayout: 'nchw' | 'nhwc',
  ) {}

  /**
   * Create a session from ONNX bytes (nothing is read from disk). `inputLayout` is how the graph takes an
   * image: NCHW (the default; the runner transposes tfjs' NHWC batches) or NHWC (fed as they are).
   */
  static async create(bytes: Uint8Array, inputLayout: 'nchw' | 'nhwc' = 'nchw'): Promise<OnnxRunner> {
    return new OnnxRunner(await ort.InferenceSession.create(bytes), inputLayout);
  }

  /** Run the single-input graph; images go in NHWC -> NCHW and a 4-D output comes back NCHW -> NHWC. */
  async run(x: TfjsBatch): Promise<{ data: Float32Array; dims: number[] }> {
    const isImage = x.shape.length === 4 && this.inputLayout === 'nchw';
    const [n, h, w, c] = x.shape;
    const data = isImage ? nhwcToNchw(x.data, x.shape) : x.data; // NHWC -> NCHW
    const dims = isImage ? [n, c, h, w] : x.shape;
    const feeds = { [this.session.inputNames[0]]: new ort.Tensor('float32', data, dims) };
    const out = (await this.session.run(feeds))[this.session.outputNames[0]];
    const od = out.dims.map(Number);
    const values = out.data as Float32Array;
    if (od.length === 4) return { data: nchwToNhwc(values, od), dims: [od[0], od[2], od[3], od[1]] }; // NCHW -> NHWC
    return { data: values, dims: od };
  }

  /** Free the native session. */
  async release(): Promise<void> {
    await this.session.release();
  }
}
