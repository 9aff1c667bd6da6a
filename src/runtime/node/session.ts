/**
 * One onnxruntime-node session for a run. The file is read and checked against its input contract by
 * the shared model-file reader (onnxruntime-node does not expose metadata_props) before anything runs.
 */
import * as ort from 'onnxruntime-node';
import { UserError } from '../../errors.js';
import { inputShape, pictureSize } from '../contract.js';
import type { ContractModel } from '../model.js';
import type { OnnxModelInfo } from '../../onnx/info.js';
import type { ModelFile } from '../model-file.js';
import { readModelFile } from './model-file.js';
import { sessionOptions } from './session-options.js';

export { DEFAULT_ONNX_MODEL } from './default-model-file.js';

/**
 * A model loaded in onnxruntime-node: the shared model interface (`source` is the file) plus header facts and a
 * way to free it.
 */
export interface DigitModel extends ContractModel {
  info: OnnxModelInfo;
  close(): Promise<void>;
}

/**
 * Load an ONNX digit model and check that its graph matches its contract.
 * @throws UserError naming the file: missing, not ONNX, no contract, input/output not as the contract says.
 */
export async function loadDigitModel(file: string, opts: { threads?: number } = {}): Promise<DigitModel> {
  return openDigitModel(file, await readModelFile(file), opts);
}

/**
 * {@link loadDigitModel} for a file already read with readModelFile: a caller that needs only the contract
 * first (to start decode workers, say) can do that while the session is being created.
 * @throws UserError naming the file when onnxruntime cannot load it.
 */
export async function openDigitModel(
  file: string,
  read: ModelFile & { bytes: Uint8Array },
  opts: { threads?: number } = {},
): Promise<DigitModel> {
  const { bytes, info, contract } = read;
  let session: ort.InferenceSession;
  try {
    session = await ort.InferenceSession.create(bytes, sessionOptions(info, opts.threads));
  } catch (err) {
    throw new UserError(`model '${file}': onnxruntime cannot load it (${(err as Error).message.split('\n')[0]})`);
  }
  const classes = contract.labels.length;
  return {
    source: file,
    contract,
    info,
    async run(input, n) {
      const feeds = {
        [contract.inputName]: new ort.Tensor(
          'float32',
          input.subarray(0, n * pictureSize(contract)),
          inputShape(contract, n),
        ),
      };
      const out = await session.run(feeds);
      const t = out[contract.outputName];
      const data = t.data as Float32Array;
      if (data.length !== n * classes) {
        throw new UserError(
          `model '${file}': output '${contract.outputName}' has ${data.length} values for ${n} pictures, expected ${n * classes} (${classes} labels)`,
        );
      }
      return data;
    },
    async close() {
      await session.release();
    },
  };
}
