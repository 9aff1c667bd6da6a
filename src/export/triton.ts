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

/** Longest model name written, in characters (a folder name; file systems allow 255 bytes). */
export const TRITON_NAME_MAX = 200;

/**
 * Why `name` cannot be a model's folder in a Triton repository, or undefined when it can. Triton takes the
 * folder's name as the model's name; the rules here keep that folder inside the repository and its name the
 * same on every file system: letters, digits, `_`, `-` and `.` only (no separator, no space, no control
 * character), not starting with `.` (which also rules out `.`, `..` and every dots-only name, and hidden
 * folders Triton would skip), at most {@link TRITON_NAME_MAX} characters.
 */
export function tritonNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'is empty';
  if (name.length > TRITON_NAME_MAX) return `is ${name.length} characters long, over ${TRITON_NAME_MAX}`;
  if (name.startsWith('.')) return "starts with '.' (a dots-only name would leave the repository)";
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "holds characters other than letters, digits, '_', '-' and '.'";
  return undefined;
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
