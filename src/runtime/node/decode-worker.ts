/**
 * Worker thread: picture files -> model inputs. The CPU work of `predict` (read, decode, preprocess) runs
 * here, one worker per core, while the main thread walks directories and runs the model.
 */
import { parentPort } from 'node:worker_threads';
import type { InputContract } from '../contract.js';
import { PictureError, pictureToInput, readPictureFile } from './images.js';
import type { DecodeReply, DecodeRequest, DecodeSetup } from './decode-pool.js';
import { takeClose } from '../../threads/worker-close.js';

// set by the pool's first message, which comes before any request
let contract: InputContract;
let size = 0;

parentPort!.on('message', (req: DecodeRequest | DecodeSetup) => {
  if (takeClose(req)) return;
  if ('contract' in req) {
    contract = req.contract;
    size = contract.height * contract.width * contract.channels;
    return;
  }
  void decodeAll(req).then((reply) => parentPort!.postMessage(reply));
});

async function decodeAll(req: DecodeRequest): Promise<DecodeReply> {
  // Shared memory, neither copied into the message nor transferred: the first ArrayBuffer a thread detaches makes
  // V8 throw away the optimised code of every typed-array loop already compiled in it (the whole decode path).
  const input = new Float32Array(new SharedArrayBuffer(req.paths.length * size * Float32Array.BYTES_PER_ELEMENT));
  const errors: Array<string | null> = [];
  const characters: number[] = [];
  for (const [i, file] of req.paths.entries()) {
    try {
      const r = await pictureToInput(readPictureFile(file, { walked: true }), contract, {
        into: input.subarray(i * size, (i + 1) * size),
      });
      if (r.ok) {
        errors.push(null);
        characters.push(r.digitCount);
      } else {
        errors.push(r.message);
        characters.push(0);
      }
    } catch (err) {
      errors.push(err instanceof PictureError ? err.message : `unexpected error: ${(err as Error).message}`);
      characters.push(0);
    }
  }
  return { id: req.id, input, errors, characters };
}
