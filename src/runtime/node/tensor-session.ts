/**
 * An onnxruntime-node session for any ONNX file, with no input contract: named tensors in, named tensors out,
 * each in the element type its graph declares. The server serves every model through one of these.
 */
import * as ort from 'onnxruntime-node';
import { UserError } from '../../errors.js';
import type { OnnxModelInfo, OnnxTensorInfo } from '../../onnx/info.js';
import { sessionOptions } from './session-options.js';

/** The typed arrays a tensor of a supported element type is held in (BOOL as one byte per value). */
export type TensorData =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

/** A tensor's values, row-major, and its dimensions. */
export interface TensorValue {
  data: TensorData;
  dims: number[];
}

/** onnxruntime's names for the ONNX element types a session takes and gives, by ONNX TensorProto number. */
export const SESSION_TYPES: Readonly<Record<number, ort.Tensor.Type>> = Object.freeze({
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
});

/** A loaded ONNX file. */
export interface TensorSession {
  file: string;
  info: OnnxModelInfo;
  /**
   * Run the graph on `feeds` (every input by name) and return the outputs named in `outputs`, in that order.
   * Whatever onnxruntime refuses (a shape the graph's symbolic dimensions rule out, say) rejects with its message.
   */
  run(feeds: Record<string, TensorValue>, outputs: string[]): Promise<TensorValue[]>;
  close(): Promise<void>;
}

/**
 * Open a session for `bytes` (the file `file`, whose header is `info`).
 * @throws UserError naming the file: a graph input or output of an element type no session here exchanges
 * (float16, strings...), or a file onnxruntime cannot load.
 */
export async function openTensorSession(
  file: string,
  bytes: Uint8Array,
  info: OnnxModelInfo,
  opts: { threads?: number } = {},
): Promise<TensorSession> {
  for (const [kind, list] of [
    ['input', info.inputs],
    ['output', info.outputs],
  ] as const) {
    for (const t of list) if (!(t.elemType in SESSION_TYPES)) throw unsupported(file, kind, t);
  }
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions(info, opts.threads));
  } catch (err) {
    throw new UserError(`model '${file}': onnxruntime cannot load it (${(err as Error).message.split('\n')[0]})`);
  }
  const typeOf = new Map(info.inputs.map((t) => [t.name, SESSION_TYPES[t.elemType]]));
  return {
    file,
    info,
    async run(feeds, outputs) {
      const tensors: Record<string, ort.Tensor> = {};
      for (const [name, v] of Object.entries(feeds)) {
        // the constructor's overloads are per type; the type and the array were matched when the request was read
        tensors[name] = new ort.Tensor(typeOf.get(name)!, v.data as Float32Array, v.dims);
      }
      const out = await session.run(tensors, outputs);
      return outputs.map((name) => ({ data: out[name].data as TensorData, dims: [...out[name].dims] }));
    },
    async close() {
      await session.release();
    },
  };
}

function unsupported(file: string, kind: 'input' | 'output', t: OnnxTensorInfo): UserError {
  const names: Record<number, string> = { 0: 'undefined', 8: 'string', 10: 'float16', 16: 'bfloat16' };
  return new UserError(
    `model '${file}': ${kind} '${t.name}' is of element type ${names[t.elemType] ?? t.elemType}, which the server does not exchange; supported: ${Object.values(SESSION_TYPES).join(', ')}`,
  );
}
