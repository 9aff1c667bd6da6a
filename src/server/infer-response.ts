/**
 * The Open Inference Protocol's inference response: JSON tensors, or (binary tensor extension) a JSON header
 * followed by the raw little-endian bytes of the outputs asked for as binary.
 */
import type { InferCall } from './infer-request.js';
import type { ServedModel } from './models.js';
import { MODEL_VERSION } from './model-metadata.js';

/** Header naming the length of the JSON part of a binary-extension body. */
export const INFERENCE_HEADER = 'inference-header-content-length';

/** A response ready to send: a JSON object, or a JSON header plus binary tail. */
export type InferReply = { kind: 'json'; body: object } | { kind: 'binary'; body: Buffer; headerLength: number };

/** Build the response for `call` from the model's outputs for its rows. */
export function inferReply(m: ServedModel, call: InferCall, probs: Float32Array): InferReply {
  const tails: Buffer[] = [];
  const outputs = call.outputs.map((name) => {
    const shape = [call.n, m.outputSize];
    if (call.binaryOutputs.has(name)) {
      const bytes = Buffer.from(probs.buffer, probs.byteOffset, probs.byteLength);
      tails.push(bytes);
      return { name, datatype: 'FP32', shape, parameters: { binary_data_size: bytes.byteLength } };
    }
    return { name, datatype: 'FP32', shape, data: Array.from(probs) };
  });
  const body = {
    model_name: m.name,
    model_version: MODEL_VERSION,
    ...(call.id !== undefined ? { id: call.id } : {}),
    outputs,
  };
  if (tails.length === 0) return { kind: 'json', body };
  const header = Buffer.from(JSON.stringify(body));
  return { kind: 'binary', body: Buffer.concat([header, ...tails]), headerLength: header.byteLength };
}
