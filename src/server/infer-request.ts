/**
 * The Open Inference Protocol's inference request (JSON form), checked field by field against the model:
 * every refusal is a 400 naming the field, so a client can tell which part of its request to fix.
 */
import { badField } from './api-error.js';
import type { TensorMetadata } from './model-metadata.js';

/** Most rows one request may carry; keeps a single request from holding a batch (and memory) hostage. */
export const MAX_ROWS_PER_REQUEST = 1024;

/**
 * Most output values one response may hold (rows x outputs x values per row): what a request may ask of the
 * server, checked before any work, as the body limit checks what it may send. A model at the contract's largest
 * label set answering the largest batch stays under it.
 */
export const MAX_RESPONSE_VALUES = 2 ** 20;

/** Largest finite FP32 value; a JSON number beyond it would become an infinity in the input tensor. */
const FP32_MAX = 3.4028234663852886e38;

/** What checking a request needs to know of a model; plain data, so a worker thread can check a body too. */
export interface InferSpec {
  /** The model's inputs as the protocol describes them (one). */
  inputs: TensorMetadata[];
  /** Values per input row and per output row. */
  inputSize: number;
  outputSize: number;
  /** The outputs a run computes. */
  outputs: string[];
}

/** An inference request reduced to what a run needs. */
export interface InferCall {
  id?: string;
  /** Rows laid out back to back, as the model's input wants them. */
  input: Float32Array;
  n: number;
  /** Output names to answer with, in the order asked (all of the model's when the request names none). */
  outputs: string[];
  /** Outputs the client asked to receive as binary data (binary tensor extension). */
  binaryOutputs: Set<string>;
}

/** Where an input's values come from: the JSON `data` field, or a slice of a binary body. */
export type TensorSource = { kind: 'json' } | { kind: 'binary'; bytes: Uint8Array };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a JSON value is, for messages: "a number", "null", "an array". */
export function jsonKind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  const t = typeof v;
  return t === 'object' ? 'an object' : `a ${t}`;
}

/**
 * Check a parsed request body against `m` and pull out its input rows. The output list is checked first (names
 * unique and known) and the response's size bounded before any input value is read.
 * @param binary the bytes following the JSON header when the binary tensor extension is used.
 * @throws ApiError 400 naming the field: body, id, parameters, inputs, inputs[i].name/datatype/shape/data, outputs.
 */
export function parseInferRequest(body: unknown, m: InferSpec, binary?: Uint8Array): InferCall {
  if (!isObject(body))
    throw badField('request body', `expected a JSON object with an "inputs" array, got ${jsonKind(body)}`);
  const { id, parameters, inputs, outputs } = body;
  if (id !== undefined && typeof id !== 'string') throw badField('id', 'expected a string');
  if (parameters !== undefined && !isObject(parameters)) throw badField('parameters', 'expected an object');
  const spec = m.inputs;
  if (!Array.isArray(inputs)) throw badField('inputs', 'expected an array of tensors');
  if (inputs.length !== spec.length) {
    throw badField(
      'inputs',
      `expected ${spec.length} tensor(s) (${spec.map((s) => `'${s.name}'`).join(', ')}), got ${inputs.length}`,
    );
  }
  const t = inputs[0] as unknown;
  const at = 'inputs[0]';
  if (!isObject(t)) throw badField(at, 'expected a tensor object');
  const want = spec[0];
  if (t.name !== want.name)
    throw badField(`${at}.name`, `the model has no input ${JSON.stringify(t.name)}; its input is '${want.name}'`);
  if (t.datatype !== want.datatype)
    throw badField(`${at}.datatype`, `expected "${want.datatype}", got ${JSON.stringify(t.datatype)}`);
  if (t.parameters !== undefined && !isObject(t.parameters)) throw badField(`${at}.parameters`, 'expected an object');
  const n = checkShape(t.shape, want.shape, `${at}.shape`);
  const { names, binaryOutputs } = requestedOutputs(
    outputs,
    m,
    isObject(parameters) && parameters.binary_data_output === true,
  );
  const answer = n * names.length * m.outputSize;
  if (answer > MAX_RESPONSE_VALUES)
    throw badField(
      `${at}.shape`,
      `${n} rows x ${names.length} output(s) x ${m.outputSize} values would answer ${answer} values, over the ${MAX_RESPONSE_VALUES} one response may hold; send fewer rows per request`,
    );
  const count = n * m.inputSize;
  const binarySize = isObject(t.parameters) ? t.parameters.binary_data_size : undefined;
  let input: Float32Array;
  if (binarySize !== undefined) {
    if (!binary)
      throw badField(
        `${at}.parameters.binary_data_size`,
        'given, but the request has no binary part (Inference-Header-Content-Length)',
      );
    if (binarySize !== count * 4 || binary.byteLength !== binarySize) {
      throw badField(
        `${at}.parameters.binary_data_size`,
        `shape [${(t.shape as number[]).join(',')}] needs ${count * 4} bytes of FP32, got ${binarySize} declared and ${binary.byteLength} sent`,
      );
    }
    input = new Float32Array(count);
    new Uint8Array(input.buffer).set(binary);
    if (!input.every(Number.isFinite)) throw badField(`${at}.data`, 'every value must be a finite number');
  } else {
    if (t.data === undefined) throw badField(`${at}.data`, 'missing');
    input = flatten(t.data, count, t.shape as number[], `${at}.data`);
  }
  return { id: id as string | undefined, input, n, outputs: names, binaryOutputs };
}

/** The batch size a shape asks for, once every other dimension matches the model's. */
function checkShape(shape: unknown, want: number[], field: string): number {
  if (!Array.isArray(shape) || !shape.every((d) => Number.isInteger(d) && d >= 0))
    throw badField(field, 'expected an array of non-negative integers');
  const wanted = `[${want.map((d) => (d < 0 ? 'N' : d)).join(',')}]`;
  if (shape.length !== want.length) throw badField(field, `expected ${wanted}, got [${shape.join(',')}]`);
  for (const [i, d] of want.entries()) {
    if (d >= 0 && shape[i] !== d) throw badField(field, `expected ${wanted}, got [${shape.join(',')}]`);
  }
  const n = shape[0] as number;
  if (n < 1 || n > MAX_ROWS_PER_REQUEST)
    throw badField(field, `batch of ${n}: expected 1 to ${MAX_ROWS_PER_REQUEST} rows`);
  return n;
}

/**
 * Row-major values from a flat array or arrays nested up to the shape's rank (the protocol allows both), as FP32.
 * Checks the count against the shape and refuses anything not a number FP32 can hold. Walked with a stack of its
 * own, so nesting costs no call depth.
 */
function flatten(data: unknown, count: number, shape: number[], field: string): Float32Array {
  if (!Array.isArray(data)) throw badField(field, 'expected an array of numbers (flat or nested)');
  const out = new Float32Array(count);
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
    if (typeof x === 'number') {
      if (!Number.isFinite(Math.fround(x)))
        throw badField(
          field,
          Number.isFinite(x)
            ? `value ${k} (${x}) is outside the range of FP32 (largest magnitude ${FP32_MAX.toPrecision(5)})`
            : `value ${k} is not a finite number`,
        );
      if (k >= count) throw badField(field, `more than the ${count} values the shape holds`);
      out[k++] = x;
    } else if (Array.isArray(x)) {
      if (arrays.length >= shape.length)
        throw badField(
          field,
          `nested ${arrays.length + depthAlongFirst(x)} deep; the shape [${shape.join(',')}] allows at most ${shape.length}`,
        );
      arrays.push(x);
      next.push(0);
    } else {
      throw badField(field, `value ${k} is ${x === null ? 'null' : typeof x}, expected a number`);
    }
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
  const known = m.outputs;
  // an empty list names no output, which the protocol reads as every output, as an absent one
  if (outputs === undefined || (Array.isArray(outputs) && outputs.length === 0))
    return { names: known, binaryOutputs: new Set(allBinary ? known : []) };
  if (!Array.isArray(outputs)) throw badField('outputs', 'expected an array of {"name": ...}');
  const names: string[] = [];
  const binaryOutputs = new Set<string>();
  for (const [i, o] of outputs.entries()) {
    if (!isObject(o) || typeof o.name !== 'string') throw badField(`outputs[${i}]`, 'expected {"name": string}');
    if (!known.includes(o.name))
      throw badField(
        `outputs[${i}].name`,
        `the model has no output '${o.name}'; its outputs are ${known.map((k) => `'${k}'`).join(', ')}`,
      );
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
