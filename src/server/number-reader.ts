/**
 * `/v1/read`: a whole line of characters read from a picture, as `lenet-onnx read` reads it, with every
 * character's model run going through the served model's batcher.
 */
import type { Classifier } from '../runtime/read-line.js';
import { readPictureBytes, type ReadRow } from '../runtime/node/read.js';
import type { ServedModel } from './models.js';

/** Read the picture `bytes` with `m`; the row says why when nothing could be read. */
export async function readNumber(
  bytes: Uint8Array,
  m: ServedModel,
  signal: AbortSignal,
  path = 'upload',
): Promise<ReadRow> {
  const classify: Classifier = async (inputs) => {
    const batch = new Float32Array(inputs.length * m.inputSize);
    inputs.forEach((x, i) => batch.set(x, i * m.inputSize));
    const probs = await m.infer(batch, inputs.length, signal);
    return inputs.map((_, i) => probs.slice(i * m.outputSize, (i + 1) * m.outputSize));
  };
  return readPictureBytes(path, bytes, classify, m.model);
}
