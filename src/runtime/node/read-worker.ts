/**
 * Worker thread of `read`: picture files -> rows, each worker with its own single-threaded onnxruntime
 * session, so decoding, ink finding, segmentation and the model all run on every core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { GrayImage } from '../preprocess.js';
import { decodePicture, PictureError, readPictureFile } from './images.js';
import { modelClassifier, readDecodedPicture, type ReadRow } from './read.js';
import type { ReadChunk, ReadChunkReply, ReadWorkerData } from './read-pool.js';
import { loadDigitModel } from './session.js';

const data = workerData as ReadWorkerData;
const ready = loadDigitModel(data.model);

parentPort!.on('message', (req: ReadChunk) => {
  void readChunk(req).then((reply) => parentPort!.postMessage(reply), (err: Error) => {
    parentPort!.postMessage({ id: req.id, rows: [], failure: err.message } satisfies ReadChunkReply);
  });
});

/** A picture of a chunk on its way: decoding (sharp works on threads of its own), or unreadable. */
type Pending = { file: string; decoding: Promise<GrayImage> } | { file: string; error: string };

async function readChunk(req: ReadChunk): Promise<ReadChunkReply> {
  const model = await ready;
  const classify = modelClassifier(model);
  const rows: ReadRow[] = [];
  // The next picture decodes while this one is read, so the decoder's threads and this one work at once.
  let next = req.paths.length ? startDecoding(req.paths[0]) : undefined;
  for (let i = 0; i < req.paths.length; i++) {
    const current = next!;
    next = i + 1 < req.paths.length ? startDecoding(req.paths[i + 1]) : undefined;
    rows.push('error' in current
      ? { path: current.file, text: null, confidence: null, digits: [], error: current.error, decisions: [] }
      : await readDecodedPicture(current.file, current.decoding, classify, model, { ...data.options, keepDebug: data.keepDebug }));
  }
  return { id: req.id, rows };
}

function startDecoding(file: string): Pending {
  let bytes: Uint8Array;
  try {
    bytes = readPictureFile(file, { walked: true });
  } catch (err) {
    if (!(err instanceof PictureError)) throw err;
    return { file, error: err.message };
  }
  const decoding = decodePicture(bytes);
  // awaited when its turn comes; a failure meanwhile must not count as unhandled
  decoding.catch(() => undefined);
  return { file, decoding };
}
