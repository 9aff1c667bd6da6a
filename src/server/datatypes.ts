/**
 * The Open Inference Protocol's datatypes the server exchanges: how each is held, which JSON values it takes, and
 * how its values go back into JSON. One table, used when a request is read (on the main thread or in a worker)
 * and when a response is written.
 */
import type { TensorData } from '../runtime/node/tensor-session.js';

/** One datatype: its size, its typed array, and the JSON side of it. */
export interface Datatype {
  /** Bytes per value in a binary tensor (BOOL: one). */
  bytes: number;
  /** True for the floating-point types, whose values must be finite. */
  float: boolean;
  /** A zeroed array of `n` values. */
  make(n: number): TensorData;
  /** Why a JSON value cannot be one of these (after `value k `), or undefined when it can. */
  refuse(v: unknown): string | undefined;
  /** The value to store for a JSON value `refuse` accepted. */
  store(v: unknown): number | bigint;
  /** The values as JSON numbers (or booleans for BOOL). */
  toJson(data: TensorData): unknown[];
}

/** Largest finite FP32 value; a JSON number beyond it would become an infinity in the input tensor. */
const FP32_MAX = 3.4028234663852886e38;

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v);

function integer(name: string, bytes: number, make: (n: number) => TensorData, min: number, max: number): Datatype {
  return {
    bytes,
    float: false,
    make,
    refuse: (v) => {
      if (typeof v !== 'number') return `is ${kind(v)}, expected a number`;
      if (!Number.isInteger(v) || v < min || v > max)
        return `(${v}) is not a whole number from ${min} to ${max} (${name})`;
      return undefined;
    },
    store: (v) => v as number,
    toJson: (d) => Array.from(d as Int32Array),
  };
}

function integer64(name: string, make: (n: number) => TensorData, min: number): Datatype {
  return {
    bytes: 8,
    float: false,
    make,
    refuse: (v) => {
      if (typeof v !== 'number') return `is ${kind(v)}, expected a number`;
      // JSON numbers are doubles: beyond 2^53 the value written is not the value read
      if (!Number.isSafeInteger(v) || v < min)
        return `(${v}) is not a whole number from ${min} to ${Number.MAX_SAFE_INTEGER} (${name} in JSON; send larger ones as binary data)`;
      return undefined;
    },
    store: (v) => BigInt(v as number),
    toJson: (d) => Array.from(d as BigInt64Array, (x) => Number(x)),
  };
}

function float(
  name: string,
  bytes: number,
  make: (n: number) => TensorData,
  max: number,
  round: (v: number) => number,
): Datatype {
  return {
    bytes,
    float: true,
    make,
    refuse: (v) => {
      if (typeof v !== 'number') return `is ${kind(v)}, expected a number`;
      if (!Number.isFinite(round(v)))
        return Number.isFinite(v)
          ? `(${v}) is outside the range of ${name} (largest magnitude ${max.toPrecision(5)})`
          : 'is not a finite number';
      return undefined;
    },
    store: (v) => v as number,
    toJson: (d) => Array.from(d as Float32Array),
  };
}

/** The datatypes served, by protocol name. */
export const DATATYPES: Readonly<Record<string, Datatype>> = Object.freeze({
  FP32: float('FP32', 4, (n) => new Float32Array(n), FP32_MAX, Math.fround),
  FP64: float(
    'FP64',
    8,
    (n) => new Float64Array(n),
    Number.MAX_VALUE,
    (v) => v,
  ),
  INT8: integer('INT8', 1, (n) => new Int8Array(n), -128, 127),
  INT16: integer('INT16', 2, (n) => new Int16Array(n), -32768, 32767),
  INT32: integer('INT32', 4, (n) => new Int32Array(n), -(2 ** 31), 2 ** 31 - 1),
  UINT8: integer('UINT8', 1, (n) => new Uint8Array(n), 0, 255),
  UINT16: integer('UINT16', 2, (n) => new Uint16Array(n), 0, 65535),
  UINT32: integer('UINT32', 4, (n) => new Uint32Array(n), 0, 2 ** 32 - 1),
  INT64: integer64('INT64', (n) => new BigInt64Array(n), Number.MIN_SAFE_INTEGER),
  UINT64: integer64('UINT64', (n) => new BigUint64Array(n), 0),
  BOOL: {
    bytes: 1,
    float: false,
    make: (n) => new Uint8Array(n),
    refuse: (v) => (typeof v === 'boolean' ? undefined : `is ${kind(v)}, expected true or false`),
    store: (v) => (v ? 1 : 0),
    toJson: (d) => Array.from(d as Uint8Array, (x) => x !== 0),
  },
});

/** The protocol's name of each ONNX TensorProto element type. */
export const ONNX_DATATYPES: Readonly<Record<number, string>> = Object.freeze({
  1: 'FP32',
  2: 'UINT8',
  3: 'INT8',
  4: 'UINT16',
  5: 'INT16',
  6: 'INT32',
  7: 'INT64',
  8: 'BYTES',
  9: 'BOOL',
  10: 'FP16',
  11: 'FP64',
  12: 'UINT32',
  13: 'UINT64',
  16: 'BF16',
});
