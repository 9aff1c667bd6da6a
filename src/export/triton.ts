/**
 * A Triton Inference Server model repository for an exported file: `<dir>/<name>/config.pbtxt`,
 * `<dir>/<name>/labels.txt` and `<dir>/<name>/1/model.onnx`. The config is written from the model's own
 * contract (input and output names and shapes, labels), so Triton serves the file exactly as `lenet-onnx serve`
 * does, dynamic batching included.
 */
import { inputShape, type InputContract } from '../runtime/contract.js';

/** Batching settings of the repository's config. */
export interface TritonBatching {
  /** Largest batch Triton forms (`max_batch_size`). */
  maxBatch: number;
  /** Longest a request waits for others to batch with, in microseconds. */
  maxQueueDelayMicros: number;
}

/** Triton's default batching for this model: what `lenet-onnx serve` batches by default. */
export const TRITON_BATCHING: TritonBatching = { maxBatch: 64, maxQueueDelayMicros: 1000 };

/** A model name Triton accepts as a folder name: letters, digits, `-`, `_` and `.`. */
export function tritonModelName(name: string): string {
  const clean = name.replace(/[^A-Za-z0-9_.-]+/g, '_');
  return clean.length ? clean : 'model';
}

/** The text of `config.pbtxt` (protobuf text format of Triton's ModelConfig) for `contract`. */
export function tritonConfig(name: string, contract: InputContract, b: TritonBatching = TRITON_BATCHING): string {
  // Triton's dims leave out the batch dimension, which max_batch_size covers
  const dims = inputShape(contract, 1).slice(1);
  return [
    `name: "${name}"`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${b.maxBatch}`,
    'input [',
    '  {',
    `    name: "${contract.inputName}"`,
    '    data_type: TYPE_FP32',
    `    dims: [ ${dims.join(', ')} ]`,
    '  }',
    ']',
    'output [',
    '  {',
    `    name: "${contract.outputName}"`,
    '    data_type: TYPE_FP32',
    `    dims: [ ${contract.labels.length} ]`,
    '    label_filename: "labels.txt"',
    '  }',
    ']',
    'dynamic_batching {',
    `  max_queue_delay_microseconds: ${b.maxQueueDelayMicros}`,
    '}',
    '',
  ].join('\n');
}
