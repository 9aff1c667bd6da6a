/**
 * Read the header facts of an ONNX file (IR version, opset, producer, metadata, graph inputs/outputs)
 * without an inference runtime, following the field numbers of proto/onnx.proto.
 *
 * Shared code: no Node and no DOM imports (the browser widget bundles this file). Only the messages that hold
 * these facts are walked; nodes and weights are counted or skipped by length, never decoded, which keeps the
 * reading cheap and the protobuf library out of the browser widget.
 */
import { eachField, expectWireType, LENGTH_DELIMITED, text, VARINT, WireFormatError, type WireField } from './wire.js';

/** A graph input or output: name, ONNX element type (1 = float32) and dimensions (number, or a symbolic name). */
export interface OnnxTensorInfo {
  name: string;
  elemType: number;
  dims: Array<number | string>;
}

/** What {@link readOnnxInfo} reports about a model. */
export interface OnnxModelInfo {
  irVersion: number;
  /** Version of the default (ai.onnx) operator set; 0 when the model imports none. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  /** `metadata_props` as a map (the lenet-onnx input contract lives here under `contract.` keys). */
  metadata: Record<string, string>;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  nodeCount: number;
}

/** The bytes are not an ONNX model. The message says why in one line. */
export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

const message = (f: WireField, field: string) => expectWireType(f, LENGTH_DELIMITED, field).bytes;
const string = (f: WireField, field: string) => text(expectWireType(f, LENGTH_DELIMITED, field));
const integer = (f: WireField, field: string) => expectWireType(f, VARINT, field).varint;

/** TypeProto -> its tensor type's element type and dimensions (other kinds of type leave both empty). */
function tensorType(bytes: Uint8Array): { elemType: number; dims: Array<number | string> } {
  let elemType = 0;
  let dims: Array<number | string> = [];
  eachField(bytes, (f) => {
    if (f.number !== 1) return; // TypeProto.tensor_type
    elemType = 0;
    dims = [];
    eachField(message(f, 'TypeProto.tensor_type'), (t) => {
      if (t.number === 1) elemType = integer(t, 'TypeProto.Tensor.elem_type');
      else if (t.number === 2) {
        dims = [];
        eachField(message(t, 'TypeProto.Tensor.shape'), (d) => {
          if (d.number !== 1) return; // TensorShapeProto.dim
          let value: number | null = null;
          let param: string | null = null;
          eachField(message(d, 'TensorShapeProto.dim'), (x) => {
            if (x.number === 1) [value, param] = [integer(x, 'Dimension.dim_value'), null];
            else if (x.number === 2) [param, value] = [string(x, 'Dimension.dim_param'), null];
          });
          dims.push(param !== null && param !== '' ? param : (value ?? '?'));
        });
      }
    });
  });
  return { elemType, dims };
}

/** ValueInfoProto -> name, element type, dimensions. */
function tensorInfo(bytes: Uint8Array): OnnxTensorInfo {
  let name = '';
  let type: ReturnType<typeof tensorType> = { elemType: 0, dims: [] };
  eachField(bytes, (f) => {
    if (f.number === 1) name = string(f, 'ValueInfoProto.name');
    else if (f.number === 2) type = tensorType(message(f, 'ValueInfoProto.type'));
  });
  return { name, ...type };
}

interface Graph {
  nodeCount: number;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  initializers: Set<string>;
}

function graph(bytes: Uint8Array): Graph {
  const g: Graph = { nodeCount: 0, inputs: [], outputs: [], initializers: new Set() };
  eachField(bytes, (f) => {
    if (f.number === 1) {
      message(f, 'GraphProto.node');
      g.nodeCount++;
    } else if (f.number === 5) {
      let name = '';
      eachField(message(f, 'GraphProto.initializer'), (t) => {
        if (t.number === 8) name = string(t, 'TensorProto.name');
      });
      g.initializers.add(name);
    } else if (f.number === 11) g.inputs.push(tensorInfo(message(f, 'GraphProto.input')));
    else if (f.number === 12) g.outputs.push(tensorInfo(message(f, 'GraphProto.output')));
  });
  return g;
}

/**
 * Decode ONNX bytes.
 * @throws OnnxFormatError ('... is not an ONNX model ...') for anything that is not a ModelProto with a graph.
 */
export function readOnnxInfo(bytes: Uint8Array): OnnxModelInfo {
  const fail = (why: string): never => {
    throw new OnnxFormatError(`the data (${bytes.byteLength} bytes) is not an ONNX model: ${why}`);
  };
  if (bytes.byteLength === 0) fail('it is empty');
  let irVersion = 0;
  let g: Graph | null = null;
  let opsetVersion = 0;
  let defaultSeen = false;
  let producerName = '';
  let producerVersion = '';
  let docString = '';
  const metadata: Record<string, string> = {};
  try {
    eachField(bytes, (f) => {
      switch (f.number) {
        case 1:
          irVersion = integer(f, 'ModelProto.ir_version');
          break;
        case 2:
          producerName = string(f, 'ModelProto.producer_name');
          break;
        case 3:
          producerVersion = string(f, 'ModelProto.producer_version');
          break;
        case 6:
          docString = string(f, 'ModelProto.doc_string');
          break;
        case 7:
          g = graph(message(f, 'ModelProto.graph'));
          break;
        case 8: {
          let domain = '';
          let version = 0;
          eachField(message(f, 'ModelProto.opset_import'), (o) => {
            if (o.number === 1) domain = string(o, 'OperatorSetIdProto.domain');
            else if (o.number === 2) version = integer(o, 'OperatorSetIdProto.version');
          });
          // The first import of the default domain is the one a runtime uses.
          if (!defaultSeen && (domain === '' || domain === 'ai.onnx')) {
            opsetVersion = version;
            defaultSeen = true;
          }
          break;
        }
        case 14: {
          let key = '';
          let value = '';
          eachField(message(f, 'ModelProto.metadata_props'), (p) => {
            if (p.number === 1) key = string(p, 'StringStringEntryProto.key');
            else if (p.number === 2) value = string(p, 'StringStringEntryProto.value');
          });
          if (key) metadata[key] = value;
          break;
        }
      }
    });
  } catch (err) {
    if (!(err instanceof WireFormatError)) throw err;
    return fail(`it does not parse as an ONNX ModelProto (${err.message})`);
  }
  if (!g) return fail('it has no graph');
  if (!(irVersion >= 1)) fail('it has no IR version');
  const { nodeCount, inputs, outputs, initializers } = g as Graph;
  return {
    irVersion,
    opsetVersion,
    producerName,
    producerVersion,
    docString,
    metadata,
    // Initializers may also be listed as graph inputs (IR < 4 style); they are constants, not inputs.
    inputs: inputs.filter((v) => !initializers.has(v.name)),
    outputs,
    nodeCount,
  };
}
