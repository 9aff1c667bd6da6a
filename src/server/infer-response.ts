/**
 * The Open Inference Protocol's inference response: JSON tensors, or (binary tensor extension) a JSON header
 * followed by the raw little-endian bytes of the outputs asked for as binary.
 */
import type { TensorValue } from '../runtime/node/tensor-session.js';
import { ApiError, badField } from './api-error.js';
import { DATATYPES } from './datatypes.js';
import { MAX_RESPONSE_VALUES, type InferCall } from './infer-request.js';
import type { ServedModel } from './models.js';

/** Header naming the length of the JSON part of a binary-extension body. */
export const INFERENCE_HEADER = 'inference-header-content-length';

/** A response ready to send: a JSON object, or a JSON header plus binary tail. */
export type InferReply = { kind: 'json'; body: object } | { kind: 'binary'; body: Buffer; headerLength: number };

/**
 * Build the response for `call` from the model's outputs (every output of its spec, in order).
 * @throws ApiError 400 when outputs whose size the graph leaves open came out over the response bound; 422 when
 * an output to be sent as JSON holds a NaN or an infinity, which JSON cannot carry.
 */
export function inferReply(m: ServedModel, call: InferCall, outs: TensorValue[]): InferReply {
  const picked = call.outputs.map((name) => {
    const at = m.spec.outputs.findIndex((o) => o.name === name);
    return { name, datatype: m.spec.outputs[at].datatype, value: outs[at] };
  });
  const total = picked.reduce((s, p) => s + p.value.data.length, 0);
  if (total > MAX_RESPONSE_VALUES)
    throw badField(
      'inputs',
      `the answer holds ${total} values, over the ${MAX_RESPONSE_VALUES} one response may hold; send fewer rows per request`,
    );
  const tails: Buffer[] = [];
  const outputs = picked.map(({ name, datatype, value }) => {
    const shape = value.dims;
    if (call.binaryOutputs.has(name)) {
      const d = value.data;
      const bytes = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
      tails.push(bytes);
      return { name, datatype, shape, parameters: { binary_data_size: bytes.byteLength } };
    }
    const type = DATATYPES[datatype];
    if (type.float) refuseNonFinite(m, name, value);
    return { name, datatype, shape, data: type.toJson(value.data) };
  });
  const body = {
    model_name: m.name,
    model_version: m.version,
    ...(call.id !== undefined ? { id: call.id } : {}),
    outputs,
  };
  if (tails.length === 0) return { kind: 'json', body };
  const header = Buffer.from(JSON.stringify(body));
  return { kind: 'binary', body: Buffer.concat([header, ...tails]), headerLength: header.byteLength };
}

/** 422 naming the first row of `name` holding a NaN or an infinity, which JSON would carry as null. */
function refuseNonFinite(m: ServedModel, name: string, v: TensorValue): void {
  const data = v.data as Float32Array;
  const i = data.findIndex((x) => !Number.isFinite(x));
  if (i < 0) return;
  const row = v.dims.length > 0 && v.dims[0] > 0 ? Math.floor(i / (data.length / v.dims[0])) : 0;
  const range = m.pictures?.contract.pixelRange;
  throw new ApiError(
    422,
    range
      ? `the model's outputs for row ${row} are not finite numbers: its input values are far outside the pixel range the model expects (${range.join(' to ')})`
      : `output '${name}' of row ${row} holds values that are not finite numbers, which JSON cannot carry; ask for it as binary data (binary_data)`,
  );
}
