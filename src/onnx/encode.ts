import { modelProtoType } from './model-type.js';
import { OnnxFormatError } from './info.js';

/** ONNX TensorProto.DataType values lenet-onnx writes. */
export const DataType = { FLOAT: 1, INT64: 7 } as const;

/** ONNX AttributeProto.AttributeType values lenet-onnx writes. */
export const AttributeType = { FLOAT: 1, INT: 2, STRING: 3, FLOATS: 6, INTS: 7 } as const;

/** Plain-object forms of the messages of proto/onnx.proto (camelCase, as protobufjs names them). */
export interface TensorProto {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}
export interface AttributeProto {
  name: string;
  type: number;
  f?: number;
  i?: number;
  s?: Uint8Array;
  floats?: number[];
  ints?: number[];
}
export interface NodeProto {
  name: string;
  opType: string;
  input: string[];
  output: string[];
  attribute: AttributeProto[];
  domain?: string;
}
export interface DimProto {
  dimValue?: number;
  dimParam?: string;
}
export interface ValueInfoProto {
  name: string;
  type: { tensorType: { elemType: number; shape: { dim: DimProto[] } } };
}
export interface GraphProto {
  name: string;
  node: NodeProto[];
  initializer: TensorProto[];
  input: ValueInfoProto[];
  output: ValueInfoProto[];
  docString?: string;
}
export interface ModelProto {
  irVersion: number;
  opsetImport: Array<{ domain: string; version: number }>;
  producerName: string;
  producerVersion: string;
  docString: string;
  graph: GraphProto;
  metadataProps: Array<{ key: string; value: string }>;
}

/** Serialise a model to ONNX bytes with the schema of proto/onnx.proto. */
export function encodeModel(model: ModelProto): Uint8Array {
  const type = modelProtoType();
  const err = type.verify(model);
  if (err) throw new Error(`internal: ModelProto does not match proto/onnx.proto: ${err}`);
  return type.encode(type.fromObject(model)).finish();
}

/**
 * Decode ONNX bytes into the plain-object form (int64 as numbers, bytes as Uint8Array).
 * Callers that may get arbitrary bytes should go through readOnnxInfo first, which explains most failures; it
 * does not look inside nodes and weights, which this full decode does.
 * @throws OnnxFormatError in readOnnxInfo's words when the bytes do not decode.
 */
export function decodeModel(bytes: Uint8Array): ModelProto {
  const type = modelProtoType();
  let decoded: ReturnType<typeof type.decode>;
  try {
    decoded = type.decode(bytes);
  } catch (err) {
    // protobufjs errors (wire type, index out of range) mean nothing to a user: say what it is instead.
    throw new OnnxFormatError(
      `the data (${bytes.byteLength} bytes) is not an ONNX model: it does not parse as an ONNX ModelProto (${(err as Error).message.split('\n')[0]})`,
    );
  }
  return type.toObject(decoded, { longs: Number, arrays: true }) as ModelProto;
}

/** A float32 tensor as little-endian raw_data (the compact encoding; float_data would cost a tag per value on some writers). */
export function floatTensor(name: string, dims: number[], values: Float32Array): TensorProto {
  const raw = new Uint8Array(values.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i], true);
  return { name, dims, dataType: DataType.FLOAT, rawData: raw };
}

/** An int64 tensor as little-endian raw_data (shapes, pads). */
export function int64Tensor(name: string, dims: number[], values: number[]): TensorProto {
  const raw = new Uint8Array(values.length * 8);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]), true);
  return { name, dims, dataType: DataType.INT64, rawData: raw };
}

/** Read a float32 raw_data tensor back (inspect, tests). */
export function floatValues(t: TensorProto): Float32Array {
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  const out = new Float32Array(t.rawData.byteLength / 4);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}

/** Read an int64 raw_data tensor back as numbers. */
export function int64Values(t: TensorProto): number[] {
  const view = new DataView(t.rawData.buffer, t.rawData.byteOffset, t.rawData.byteLength);
  return Array.from({ length: t.rawData.byteLength / 8 }, (_, i) => Number(view.getBigInt64(i * 8, true)));
}

/** Attribute constructors. */
export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints }),
  float: (name: string, f: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f }),
  string: (name: string, s: string): AttributeProto => ({
    name,
    type: AttributeType.STRING,
    s: new TextEncoder().encode(s),
  }),
};

/** A float32 tensor value description; string dims are symbolic (e.g. the batch size 'N'). */
export function valueInfo(
  name: string,
  dims: Array<number | string>,
  elemType: number = DataType.FLOAT,
): ValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: dims.map((d) => (typeof d === 'string' ? { dimParam: d } : { dimValue: d })) },
      },
    },
  };
}
