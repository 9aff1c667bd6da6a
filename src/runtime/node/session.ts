/**
 * One onnxruntime-node session for a run, with the model's input contract read from its metadata_props
 * (onnxruntime-node does not expose them, so the file's header is decoded with readOnnxInfo) and checked
 * against the graph's declared input and output before anything is run.
 */
import { promises as fs } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { UserError } from '../../errors.js';
import { contractFromMetadata, ContractError, type InputContract } from '../contract.js';
import { OnnxFormatError, readOnnxInfo, type OnnxModelInfo } from '../onnx-info.js';

/** Default model of `predict` and `evaluate`: the one `npm start` exports. */
export const DEFAULT_ONNX_MODEL = 'models/lenet5.onnx';

/** ONNX TensorProto element type of float32. */
const FLOAT = 1;

/** A loaded model: its contract, header facts and a batched runner. */
export interface DigitModel {
  file: string;
  contract: InputContract;
  info: OnnxModelInfo;
  /** Probabilities for `n` pictures laid out per the contract; returns n * labels.length values. */
  run(input: Float32Array, n: number): Promise<Float32Array>;
  close(): Promise<void>;
}

/**
 * Load an ONNX digit model and check that its graph matches its contract.
 * @throws UserError naming the file: missing, not ONNX, no contract, input/output not as the contract says.
 */
export async function loadDigitModel(file: string, opts: { threads?: number } = {}): Promise<DigitModel> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT'
      ? `model '${file}' not found: expected an .onnx file (make one with 'lenet-onnx export' or 'npm start')`
      : `cannot read model '${file}': ${code ?? (err as Error).message}`);
  }
  let info: OnnxModelInfo;
  let contract: InputContract;
  try {
    info = readOnnxInfo(bytes);
    contract = contractFromMetadata(info.metadata);
  } catch (err) {
    if (err instanceof OnnxFormatError || err instanceof ContractError) throw new UserError(`model '${file}': ${err.message}`);
    throw err;
  }
  checkGraphAgainstContract(file, info, contract);
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: opts.threads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
  } catch (err) {
    throw new UserError(`model '${file}': onnxruntime cannot load it (${(err as Error).message.split('\n')[0]})`);
  }
  const dims = (n: number) => contract.layout === 'NCHW'
    ? [n, contract.channels, contract.height, contract.width]
    : [n, contract.height, contract.width, contract.channels];
  const classes = contract.labels.length;
  return {
    file,
    contract,
    info,
    async run(input, n) {
      const feeds = { [contract.inputName]: new ort.Tensor('float32', input.subarray(0, n * contract.height * contract.width * contract.channels), dims(n)) };
      const out = await session.run(feeds);
      const t = out[contract.outputName];
      const data = t.data as Float32Array;
      if (data.length !== n * classes) {
        throw new UserError(`model '${file}': output '${contract.outputName}' has ${data.length} values for ${n} pictures, expected ${n * classes} (${classes} labels)`);
      }
      return data;
    },
    async close() {
      await session.release();
    },
  };
}

/**
 * The graph's declared input must be the contract's (name, float32, rank 4, fixed sizes equal to the
 * contract's, batch free) and its output must exist with one value per label.
 */
export function checkGraphAgainstContract(file: string, info: OnnxModelInfo, c: InputContract): void {
  const input = info.inputs.find((i) => i.name === c.inputName);
  const names = (xs: { name: string }[]) => xs.map((x) => `'${x.name}'`).join(', ') || 'none';
  if (!input) throw new UserError(`model '${file}': its contract names input '${c.inputName}' but the graph's inputs are ${names(info.inputs)}; re-export the model`);
  const expected = c.layout === 'NCHW' ? [c.channels, c.height, c.width] : [c.height, c.width, c.channels];
  const fixed = input.dims.slice(1);
  const shapeOk = input.dims.length === 4 && fixed.every((d, i) => d === expected[i]);
  if (input.elemType !== FLOAT || !shapeOk) {
    throw new UserError(`model '${file}': input '${c.inputName}' is ${elemName(input.elemType)} [${input.dims.join(',')}] but its contract says float32 [N,${expected.join(',')}] (${c.layout}); re-export the model`);
  }
  const output = info.outputs.find((o) => o.name === c.outputName);
  if (!output) throw new UserError(`model '${file}': its contract names output '${c.outputName}' but the graph's outputs are ${names(info.outputs)}; re-export the model`);
  const last = output.dims[output.dims.length - 1];
  if (output.dims.length !== 2 || (typeof last === 'number' && last !== c.labels.length)) {
    throw new UserError(`model '${file}': output '${c.outputName}' is [${output.dims.join(',')}] but the contract has ${c.labels.length} labels: expected [N,${c.labels.length}]`);
  }
}

function elemName(t: number): string {
  return ({ 1: 'float32', 2: 'uint8', 3: 'int8', 6: 'int32', 7: 'int64', 10: 'float16', 11: 'float64' } as Record<number, string>)[t] ?? `element type ${t}`;
}
