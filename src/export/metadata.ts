import { contractFromMetadata, contractToMetadata, ContractError, type InputContract } from '../runtime/contract.js';
import { UserError } from '../errors.js';

/** What the ONNX file says about itself, derived from the tfjs model's `userDefinedMetadata`. */
export interface OnnxDescription {
  metadata: Record<string, string>;
  docString: string;
  /** The contract as the ONNX graph sees it (NCHW), when the model carries one. */
  contract?: InputContract;
}

/** camelCase -> snake_case, for the provenance keys (ONNX metadata keys are conventionally snake_case). */
function snake(key: string): string {
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/**
 * Carry the tfjs model's contract and provenance into ONNX `metadata_props`: the contract as
 * `contract.*` keys restated for the NCHW graph input, training facts as `training.*`. Nothing here is
 * date-stamped at export time, so exporting the same model twice writes the same bytes.
 * @throws UserError when the model's contract metadata is malformed.
 */
export function describeForOnnx(user: Record<string, unknown> | undefined, source: string): OnnxDescription {
  const metadata: Record<string, string> = {};
  let contract: InputContract | undefined;
  if (user?.contract) {
    try {
      // The tfjs model takes NHWC; the ONNX graph takes the same memory as NCHW (C = 1), so only the
      // recorded layout and shape change.
      contract = { ...contractFromMetadata(user.contract as Record<string, string>), layout: 'NCHW' };
    } catch (err) {
      if (err instanceof ContractError)
        throw new UserError(
          `model '${source}': userDefinedMetadata.contract is invalid: ${err.message}; re-train the model`,
        );
      throw err;
    }
    Object.assign(metadata, contractToMetadata(contract));
  }
  const training = (user?.training ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(training)) {
    if (v !== undefined && v !== null && typeof v !== 'object') metadata[`training.${snake(k)}`] = String(v);
  }
  metadata['source.format'] = 'tfjs-layers-model';
  // Without the digit contract there is nothing to say that producer_name and source.format do not.
  const lines: string[] = [];
  if (contract) {
    const c = contract;
    lines.push('LeNet-style digit classifier exported from a TensorFlow.js LayersModel by lenet-onnx.');
    lines.push(
      `Input '${c.inputName}': float32 [N, ${c.channels}, ${c.height}, ${c.width}] (NCHW), pixels in [${c.pixelRange.join(', ')}], ink ${c.ink}; ` +
        `the graph itself pads and standardises ((x - ${c.mean}) / ${c.std}).`,
    );
    lines.push(
      `Output '${c.outputName}': float32 [N, ${c.labels.length}], softmax probabilities for labels ${c.labels.join(',')}.`,
    );
  }
  if (training.arch) {
    const acc =
      typeof training.testAccuracy === 'number' ? `, test accuracy ${(training.testAccuracy * 100).toFixed(2)}%` : '';
    lines.push(`Trained: ${String(training.arch)} on ${String(training.data ?? 'unknown data')}${acc}.`);
  }
  return { metadata, docString: lines.join('\n'), contract };
}
