/**
 * Worker thread of `read`: picture files -> rows, each worker with its own single-threaded onnxruntime
 * session, so decoding, ink finding, segmentation and the model all run on every core.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { PictureError, readPictureFile } from './images.js';
import { readPictureBytes, type ReadRow } from './read.js';
import type { ReadChunk, ReadChunkReply, ReadWorkerData } from './read-pool.js';
import { loadDigitModel } from './session.js';
import { beforeClose, takeClose } from '../../threads/worker-close.js';

const data = workerData as ReadWorkerData;
const ready = loadDigitModel(data.model);
// a model that failed to load has nothing to release; its failure went to the chunks that waited on it
beforeClose(() => ready.then((m) => m.close()).catch(() => undefined));

parentPort!.on('message', (req: ReadChunk) => {
  if (takeClose(req)) return;
  void readChunk(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: Error) => {
      parentPort!.postMessage({ id: req.id, rows: [], failure: err.message } satisfies ReadChunkReply);
    },
  );
});

async function readChunk(req: ReadChunk): Promise<ReadChunkReply> {
  const model = await ready;
  const rows: ReadRow[] = [];
  for (const file of req.paths) {
    // the stream puts the shown path back on the row; this one only has to be a string
    const shown = typeof file === 'string' ? file : Buffer.from(file).toString('utf8');
    let bytes: Uint8Array;
    try {
      bytes = readPictureFile(file, { walked: true });
    } catch (err) {
      if (!(err instanceof PictureError)) throw err;
      rows.push({ path: shown, text: null, confidence: null, digits: [], error: err.message, decisions: [] });
      continue;
    }
    rows.push(await readPictureBytes(shown, bytes, model, { ...data.options, keepDebug: data.keepDebug }));
  }
  return { id: req.id, rows };
}
