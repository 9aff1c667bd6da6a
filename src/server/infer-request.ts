/**
 * The Open Inference Protocol's inference request (JSON form), checked field by field against the model:
 * every refusal is a 400 naming the field, so a client can tell which part of its request to fix.
 */
import { badField } from './api-error.js';
import type { TensorData } from '../runtime/node/tensor-session.js';
import { DATATYPES, type Datatype } from './datatypes.js';
import type { TensorMetadata } from './model-metadata.js';

/** Most rows one request may carry; keeps a single request from holding a batch (and memory) hostage. */
export const MAX_ROWS_PER_REQUEST = 1024;

/**
 * Most output values one response may hold (every output asked for, every row): what a request may ask of the
 * server, checked before any work, as the body limit checks what it may send. A model at the contract's largest
 * label set answering the largest batch stays under it.
 */
export const MAX_RESPONSE_VALUES = 2 ** 20;

/** What checking a request needs to know of a model; plain data, so a worker thread can check a body too. */
export interface InferSpec {
  /** The model's inputs as the protocol describes them (`-1`: any size). */
  inputs: TensorMetadata[];
  /** The outputs a run computes, as the protocol describes them. */
  outputs: TensorMetadata[];
}

/** One input of a request: its values in the model's datatype, row-major, and the shape they were sent with. */
export interface CallTensor {
  name: string;
  shape: number[];
  data: TensorData;
}

/** An inference request reduced to what a run needs. */
export interface InferCall {
  id?: string;
  /** Every input of the model, in the model's order. */
  inputs: CallTensor[];
  /** Rows: the first dimension of the first input (1 for a model whose inputs have none). */
  n: number;
  /** Output names to answer with, in the order asked (all of the model's when the request names none). */
  outputs: string[];
  /** Outputs the client asked to receive as binary data (binary tensor extension). */
  binaryOutputs: Set<string>;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a JSON value is, for messages: "a number", "null", "an array". */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

const quoted = (xs: string[]) => xs.map((x) => `'${x}'`).join(', ');
const shapeText = (shape: number[]) => `[${shape.map((d, i) => (d >= 0 ? d : i === 0 ? 'N' : '?')).join(',')}]`;

/**
 * Values one output holds for `n` rows, from its declared shape; undefined when a dimension past the first is
 * free (known only once the model has run).
 */
export function outputValues(shape: number[], n: number): number | undefined {
  let count = 1;
  for (const [i, d] of shape.entries()) {
    if (d >= 0) count *= d;
    else if (i === 0) count *= n;
    else return undefined;
  }
  return count;
}

/**
 * Check a parsed request body against `m` and pull out its inputs. Every tensor's name, datatype and shape are
 * checked, then the output list (names unique and known), and the response's size bounded, before any input
 * value is read.
 * @param binary the bytes following the JSON header when the binary tensor extension is used.
 * @param bodyBytes the size of the whole body: JSON `data` cannot hold more values than half as many, so a shape
 * claiming more is refused before its array is allocated.
 * @throws ApiError 400 naming the field: body, id, parameters, inputs, inputs[i].name/datatype/shape/data, outputs.
 */
export function parseInferRequest(body: unknown, m: InferSpec, binary?: Uint8Array, bodyBytes?: number): InferCall {
  if (!isObject(body))
    throw badField('request body', `expected a JSON object with an "inputs" array, got ${jsonKind(body)}`);
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw badField('id', 'expected a string');
  if (parameters !== undefined && !isObject(parameters)) throw badField('parameters', 'expected an object');
  const spec = m.inputs;
  if (!Array.isArray(inputs)) throw badField('inputs', 'expected an array of tensors');
  if (inputs.length !== spec.length)
    throw badField(
      'inputs',
      `expected ${spec.length} tensor(s) (${quoted(spec.map((s) => s.name))}), got ${inputs.length}`,
    );
  const heads: TensorHead[] = [];
  for (const [i, raw] of (inputs as unknown[]).entries()) heads.push(tensorHead(raw, `inputs[${i}]`, spec, heads));
  const n = heads.length > 0 && heads[0].shape.length > 0 ? heads[0].shape[0] : 1;
  const { names, binaryOutputs } = requestedOutputs(
    outputs,
    m,
    isObject(parameters) && parameters.binary_data_output === true,
  );
  let answer = 0;
  for (const name of names) answer += outputValues(m.outputs.find((o) => o.name === name)!.shape, n) ?? 0;
  if (answer > MAX_RESPONSE_VALUES)
    throw badField(
      `${heads[0]?.at ?? 'inputs'}.shape`,
      `${n} rows of ${quoted(names)} would answer ${answer} values, over the ${MAX_RESPONSE_VALUES} one response may hold; send fewer rows per request`,
    );
  const jsonRoom = bodyBytes === undefined ? Infinity : Math.ceil(bodyBytes / 2);
  let jsonValues = 0;
  let binaryAt = 0;
  const read = new Map<string, CallTensor>();
  for (const { t, want, at, shape } of heads) {
    const type = DATATYPES[want.datatype];
    const count = shape.reduce((a, b) => a * b, 1);
    const binarySize = isObject(t.parameters) ? t.parameters.binary_data_size : undefined;
    let data: TensorData;
    if (binarySize !== undefined) {
      if (!binary)
        throw badField(
          `${at}.parameters.binary_data_size`,
          'given, but the request has no binary part (Inference-Header-Content-Length)',
        );
      const left = binary.byteLength - binaryAt;
      if (binarySize !== count * type.bytes || left < binarySize)
        throw badField(
          `${at}.parameters.binary_data_size`,
          `shape [${shape.join(',')}] needs ${count * type.bytes} bytes of ${want.datatype}, got ${JSON.stringify(binarySize)} declared and ${left} sent`,
        );
      data = type.make(count);
      new Uint8Array(data.buffer).set(binary.subarray(binaryAt, binaryAt + binarySize));
      binaryAt += binarySize;
      if (type.float && !(data as Float32Array).every(Number.isFinite))
        throw badField(`${at}.data`, 'every value must be a finite number');
    } else {
      if (t.data === undefined) throw badField(`${at}.data`, 'missing');
      jsonValues += count;
      if (jsonValues > jsonRoom)
        throw badField(
          `${at}.shape`,
          `[${shape.join(',')}] holds ${count} values, more than a body of ${bodyBytes} bytes carries as JSON; check the shape`,
        );
      data = flatten(t.data, count, shape, `${at}.data`, type);
    }
    read.set(want.name, { name: want.name, shape, data });
  }
  if (binary && binaryAt !== binary.byteLength)
    throw badField(
      'request body',
      `${binary.byteLength} bytes follow the JSON part, but the inputs' binary_data_size declare ${binaryAt}`,
    );
  return { id: id as string | undefined, inputs: spec.map((s) => read.get(s.name)!), n, outputs: names, binaryOutputs };
}

/** A request tensor's header, checked: which input it is, and its shape. */
interface TensorHead {
  t: Record<string, unknown>;
  want: TensorMetadata;
  at: string;
  shape: number[];
}

/**
 * Check one tensor's name (a model input, not given before), datatype, parameters and shape; inputs whose first
 * dimension is free must all carry the same rows, as a run takes them together.
 */
function tensorHead(raw: unknown, at: string, spec: TensorMetadata[], before: TensorHead[]): TensorHead {
  if (!isObject(raw)) throw badField(at, 'expected a tensor object');
  const want = spec.find((s) => s.name === raw.name);
  if (!want) {
    const names = spec.map((s) => s.name);
    throw badField(
      `${at}.name`,
      `the model has no input ${JSON.stringify(raw.name)}; ${names.length === 1 ? 'its input is' : 'its inputs are'} ${quoted(names)}`,
    );
  }
  if (before.some((h) => h.want === want))
    throw badField(`${at}.name`, `'${want.name}' is given more than once; give each input once`);
  if (raw.datatype !== want.datatype)
    throw badField(
      `${at}.datatype`,
      `expected "${want.datatype}", got ${JSON.stringify(raw.datatype)} (input '${want.name}')`,
    );
  if (raw.parameters !== undefined && !isObject(raw.parameters))
    throw badField(`${at}.parameters`, 'expected an object');
  const shape = checkShape(raw.shape, want, `${at}.shape`);
  const first = before.find((h) => h.want.shape[0] < 0);
  if (first && want.shape[0] < 0 && shape[0] !== first.shape[0])
    throw badField(
      `${at}.shape`,
      `${shape[0]} rows, but ${first.at} has ${first.shape[0]}; every input carries the same rows`,
    );
  return { t: raw, want, at, shape };
}

/**
 * A shape whose rank and fixed dimensions are the model's, free dimensions any size (the first, the rows, 1 to
 * MAX_ROWS_PER_REQUEST).
 */
function checkShape(shape: unknown, want: TensorMetadata, field: string): number[] {
  const of = `(input '${want.name}')`;
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw badField(field, `expected an array of non-negative integers ${of}`);
  const dims = shape as number[];
  if (dims.length !== want.shape.length || want.shape.some((d, i) => d >= 0 && dims[i] !== d))
    throw badField(field, `expected ${shapeText(want.shape)}, got [${dims.join(',')}] ${of}`);
  if (dims.length > 0 && (dims[0] < 1 || dims[0] > MAX_ROWS_PER_REQUEST))
    throw badField(field, `batch of ${dims[0]}: expected 1 to ${MAX_ROWS_PER_REQUEST} rows ${of}`);
  return dims;
}

/**
 * Row-major values from a flat array or arrays nested up to the shape's rank (the protocol allows both), in the
 * tensor's datatype. Checks the count against the shape and refuses anything the datatype cannot hold. Walked
 * with a stack of its own, so nesting costs no call depth.
 */
function flatten(data: unknown, count: number, shape: number[], field: string, type: Datatype): TensorData {
  if (!Array.isArray(data)) throw badField(field, 'expected an array of values (flat or nested)');
  const out = type.make(count);
  let k = 0;
  const arrays: unknown[][] = [data];
  const next: number[] = [0];
  while (arrays.length > 0) {
    const top = arrays.length - 1;
    const xs = arrays[top];
    if (next[top] >= xs.length) {
      arrays.pop();
      next.pop();
      continue;
    }
    const x = xs[next[top]++];
    if (Array.isArray(x)) {
      if (arrays.length >= Math.max(1, shape.length))
        throw badField(
          field,
          `nested ${arrays.length + depthAlongFirst(x)} deep; the shape [${shape.join(',')}] allows at most ${Math.max(1, shape.length)}`,
        );
      arrays.push(x);
      next.push(0);
      continue;
    }
    const refused = type.refuse(x);
    if (refused) throw badField(field, `value ${k} ${refused}`);
    if (k >= count) throw badField(field, `more than the ${count} values the shape holds`);
    out[k++] = type.store(x) as never;
  }
  if (k !== count) throw badField(field, `${k} values, but the shape holds ${count}`);
  return out;
}

/** How deep arrays go following each one's first element (without recursion: nesting can be as deep as a body allows). */
function depthAlongFirst(x: unknown[]): number {
  let d = 1;
  for (let y: unknown = x[0]; Array.isArray(y); y = y[0]) d++;
  return d;
}

/**
 * The outputs asked for: each named once and known to the model, so the list is never longer than the model's
 * outputs and the first repeat ends the check.
 */
function requestedOutputs(
  outputs: unknown,
  m: InferSpec,
  allBinary: boolean,
): { names: string[]; binaryOutputs: Set<string> } {
  const known = m.outputs.map((o) => o.name);
  // an empty list names no output, which the protocol reads as every output, as an absent one
  if (outputs === undefined || (Array.isArray(outputs) && outputs.length === 0))
    return { names: known, binaryOutputs: new Set(allBinary ? known : []) };
  if (!Array.isArray(outputs)) throw badField('outputs', 'expected an array of {"name": ...}');
  const names: string[] = [];
  const binaryOutputs = new Set<string>();
  for (const [i, o] of outputs.entries()) {
    if (!isObject(o) || typeof o.name !== 'string') throw badField(`outputs[${i}]`, 'expected {"name": string}');
    if (!known.includes(o.name))
      throw badField(`outputs[${i}].name`, `the model has no output '${o.name}'; its outputs are ${quoted(known)}`);
    if (names.includes(o.name))
      throw badField(`outputs[${i}].name`, `'${o.name}' is listed more than once; name each output once`);
    if (o.parameters !== undefined && !isObject(o.parameters))
      throw badField(`outputs[${i}].parameters`, 'expected an object');
    const bin = isObject(o.parameters) ? o.parameters.binary_data : undefined;
    if (bin === true || (bin === undefined && allBinary)) binaryOutputs.add(o.name);
    names.push(o.name);
  }
  return { names, binaryOutputs };
}
