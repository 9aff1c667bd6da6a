/**
 * The Open Inference Protocol's model metadata, read from the ONNX file itself (graph inputs and outputs with
 * their element types and dimensions) plus, for a model that carries one, the lenet-onnx input contract from its
 * metadata_props.
 */
import type { InputContract } from '../runtime/contract.js';
import type { OnnxModelInfo, OnnxTensorInfo } from '../onnx/info.js';
import { ONNX_DATATYPES } from './datatypes.js';

/** A tensor as the protocol describes it: `-1` marks a dimension of any size (the batch). */
export interface TensorMetadata {
  name: string;
  datatype: string;
  shape: number[];
}

/** Body of `GET /v2/models/{name}`; `contract` is ours, beside the protocol's fields, for picture models only. */
export interface ModelMetadata {
  name: string;
  versions: string[];
  platform: string;
  inputs: TensorMetadata[];
  outputs: TensorMetadata[];
  contract?: InputContract;
}

/** The version a file is served as when it is given none. */
export const MODEL_VERSION = '1';

function tensor(t: OnnxTensorInfo): TensorMetadata {
  return {
    name: t.name,
    datatype: ONNX_DATATYPES[t.elemType] ?? `ONNX_TYPE_${t.elemType}`,
    // symbolic or unknown dimensions (the batch) are "any size" to the protocol
    shape: t.dims.map((d) => (typeof d === 'number' && d > 0 ? d : -1)),
  };
}

/**
 * Metadata of a model served as `name`, from its header facts and contract (when it has one). `versions` lists
 * the name's versions once all are loaded.
 */
export function modelMetadata(
  name: string,
  versions: string[],
  info: OnnxModelInfo,
  contract: InputContract | undefined,
): ModelMetadata {
  return {
    name,
    versions,
    platform: 'onnxruntime_onnx',
    inputs: info.inputs.map(tensor),
    outputs: info.outputs.map(tensor),
    ...(contract ? { contract } : {}),
  };
}
