/**
 * How every onnxruntime-node session of the runtime is created, whether it runs a digit model or any other
 * ONNX file, so both load a file the same way.
 */
import type * as ort from 'onnxruntime-node';
import type { OnnxModelInfo } from '../../onnx/info.js';

/** Session options for a file with header `info`, running on `threads` intra-op threads (default 1). */
export function sessionOptions(info: OnnxModelInfo, threads = 1): ort.InferenceSession.SessionOptions {
  return {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
    // A weight-only int8 file keeps its DequantizeLinear nodes by default, which costs onnxruntime its packed
    // float kernels; folding them at load gives the float graph back, computing what the file says.
    ...(info.metadata['quantization.mode'] === 'weight-only' ? { extra: { session: { disable_quant_qdq: '1' } } } : {}),
  };
}
