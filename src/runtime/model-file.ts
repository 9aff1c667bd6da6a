/**
 * ONNX bytes -> a usable lenet-onnx model description: the header decoded, the input contract read from
 * `metadata_props`, and the graph checked against that contract. Node (session, serve, verify, inspect) and
 * the browser widget all go through here, so they accept and refuse the same files with the same words.
 *
 * Shared code: no Node and no DOM imports.
 */
import { OnnxFormatError, readOnnxInfo, type OnnxModelInfo } from '../onnx/info.js';
import { CONTRACT_PREFIX, ContractError, contractFromMetadata, inputShape, type InputContract } from './contract.js';

/** ONNX TensorProto element type of float32. */
const FLOAT = 1;

/** A model file that cannot be used; the message is one line that names the file. */
export class ModelFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelFileError';
  }
}

/** What a model file says about itself. */
export interface ModelFile {
  info: OnnxModelInfo;
  contract: InputContract;
}

/**
 * Decode the header of an ONNX file (any ONNX model; no contract needed).
 * @param name how the file is named in messages (a path or a URL).
 * @param noun what messages call it.
 * @throws ModelFileError when the bytes are not an ONNX model.
 */
export function readOnnxBytes(bytes: Uint8Array, name: string, noun = 'ONNX file'): OnnxModelInfo {
  try {
    return readOnnxInfo(bytes);
  } catch (err) {
    if (err instanceof OnnxFormatError)
      throw new ModelFileError(`${noun} '${name}': ${err.message}; give an .onnx file written by 'lenet-onnx export'`);
    throw err;
  }
}

/**
 * Decode an ONNX file, read its input contract and check its graph against it.
 * @throws ModelFileError naming the file: not ONNX, no contract, input or output not as the contract says.
 */
export function readModelBytes(bytes: Uint8Array, name: string): ModelFile {
  const info = readOnnxBytes(bytes, name, 'model');
  return { info, contract: checkedContract(info, name) };
}

/** The contract of a decoded file, checked against its graph. */
function checkedContract(info: OnnxModelInfo, name: string): InputContract {
  let contract: InputContract;
  try {
    contract = contractFromMetadata(info.metadata);
  } catch (err) {
    if (err instanceof ContractError) throw new ModelFileError(`model '${name}': ${err.message}`);
    throw err;
  }
  const problem = graphMismatch(info, contract);
  if (problem) throw new ModelFileError(`model '${name}': ${problem}; re-export the model`);
  return contract;
}

/** What any ONNX model file says about itself: its contract only when it claims one. */
export interface AnyModelFile {
  info: OnnxModelInfo;
  /** Present when the file carries the lenet-onnx input contract (then checked against the graph). */
  contract?: InputContract;
}

/**
 * Decode any ONNX file. A file that claims the contract (any `contract.` key in its metadata) is held to it, as
 * {@link readModelBytes} holds it: a broken contract is refused rather than the file served as if it had none.
 * @throws ModelFileError naming the file: not ONNX, or a contract that is incomplete or disagrees with the graph.
 */
export function readAnyModelBytes(bytes: Uint8Array, name: string): AnyModelFile {
  const info = readOnnxBytes(bytes, name, 'model');
  if (!Object.keys(info.metadata).some((k) => k.startsWith(CONTRACT_PREFIX))) return { info };
  return { info, contract: checkedContract(info, name) };
}

/**
 * The graph's declared input must be the contract's (name, float32, rank 4, fixed sizes equal to the
 * contract's, batch free) and its output must exist with one value per label.
 * @returns what disagrees, or undefined.
 */
export function graphMismatch(info: OnnxModelInfo, c: InputContract): string | undefined {
  const names = (xs: { name: string }[]) => xs.map((x) => `'${x.name}'`).join(', ') || 'none';
  const input = info.inputs.find((i) => i.name === c.inputName);
  if (!input) return `its contract names input '${c.inputName}' but the graph's inputs are ${names(info.inputs)}`;
  const expected = inputShape(c, 1).slice(1);
  const shapeOk = input.dims.length === 4 && input.dims.slice(1).every((d, i) => d === expected[i]);
  if (input.elemType !== FLOAT || !shapeOk) {
    return `input '${c.inputName}' is ${elemName(input.elemType)} [${input.dims.join(',')}] but its contract says float32 [N,${expected.join(',')}] (${c.layout})`;
  }
  const output = info.outputs.find((o) => o.name === c.outputName);
  if (!output) return `its contract names output '${c.outputName}' but the graph's outputs are ${names(info.outputs)}`;
  const last = output.dims[output.dims.length - 1];
  if (output.dims.length !== 2 || (typeof last === 'number' && last !== c.labels.length)) {
    return `output '${c.outputName}' is [${output.dims.join(',')}] but the contract has ${c.labels.length} labels: expected [N,${c.labels.length}]`;
  }
  return undefined;
}

function elemName(t: number): string {
  return (
    (
      { 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'float64' } as Record<
        number,
        string
      >
    )[t] ?? `element type ${t}`
  );
}
