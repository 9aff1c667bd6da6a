/**
 * `/v1/read`: a whole line of characters read from a picture, as `lenet-onnx read` reads it: decoding, ink
 * finding and segmentation in a worker thread, every character's model run going through the served model's
 * batcher.
 */
import type { ReadRow } from '../runtime/node/read.js';
import type { PictureModel } from './models.js';
import type { RequestWork } from './request-work.js';

/** Read the picture `bytes` with `m`; the row says why when nothing could be read. */
export function readNumber(
  bytes: Uint8Array,
  m: PictureModel,
  signal: AbortSignal,
  path: string,
  work: RequestWork,
): Promise<ReadRow> {
  return work.read(bytes, m, path, signal);
}
