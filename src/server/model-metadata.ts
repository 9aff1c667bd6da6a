/**
 * The Open Inference Protocol's model metadata, read from the ONNX file itself (graph inputs and outputs with
 * their element types and dimensions) plus the lenet-onnx input contract from its metadata_props.
 */
import type { InputContract } from '../runtime/contract.js';
import type { OnnxModelInfo, OnnxTensorInfo } from '../onnx/info.js';

/** A tensor as the protocol describes it: `-1` marks a dimension of any size (the batch). */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** Body of `GET /v2/models/{name}`; `contract` is ours, beside the protocol's fields. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  contract: InputContract;
}

/** The one version each served file has: a file is replaced, not versioned, here. */
export const MODEL_VERSION = '1';

/** ONNX TensorProto element types by the protocol's datatype names. */
const DATATYPES: Record<number, string> = {
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
};

function tensor(t: OnnxTensorInfo): TensorMetadata {
  return {
    name: t.name,
    datatype: DATATYPES[t.elemType] ?? `ONNX_TYPE_${t.elemType}`,
    // symbolic or unknown dimensions (the batch) are "any size" to the protocol
    shape: t.dims.map((d) => (typeof d === 'number' && d > 0 ? d : -1)),
  };
}

/** Metadata of a model served as `name`, from its header facts and contract. */
export function modelMetadata(name: string, info: OnnxModelInfo, contract: InputContract): ModelMetadata {
  return {
    name,
    versions: [MODEL_VERSION],
    platform: 'onnxruntime_onnx',
    inputs: info.inputs.map(tensor),
    outputs: info.outputs.map(tensor),
    contract,
  };
}
