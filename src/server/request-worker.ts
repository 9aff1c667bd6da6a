/**
 * Worker thread of the server: the CPU work of a request that could stall the event loop. A large inference
 * body is parsed and checked here; a picture is decoded and preprocessed here with the very functions the CLI's
 * decode workers run, and a line is read here too, asking the main thread for each model run (so every run still
 * goes through the served model's batcher).
 */
import { parentPort } from 'node:worker_threads';
import { askParent, takeAnswer } from '../threads/parent-calls.js';
import { takeClose } from '../threads/worker-close.js';
import { pictureInput } from '../runtime/node/picture-input.js';
import type { ContractModel } from '../runtime/model.js';
import { readPictureBytes } from '../runtime/node/read.js';
import { ApiError } from './api-error.js';
import { inferCallFromBody } from './infer-body.js';
import type { RunAsk, WorkReply, WorkRequest } from './request-work.js';

parentPort!.on('message', (req: WorkRequest) => {
  if (takeAnswer(req) || takeClose(req)) return;
  void run(req).then(
    (reply) => parentPort!.postMessage(reply),
    (err: Error) =>
      parentPort!.postMessage({
        id: req.id,
        error:
          err instanceof ApiError
            ? { status: err.statusCode, message: err.message }
            : { status: 500, message: `unexpected error: ${err.message}` },
      } satisfies WorkReply),
  );
});

async function run(req: WorkRequest): Promise<WorkReply> {
  switch (req.task) {
    case 'infer':
      return { id: req.id, infer: inferCallFromBody(req.body, req.headers, req.spec) };
    case 'picture':
      return { id: req.id, picture: await pictureInput(req.bytes, req.contract) };
    case 'read': {
      const served: ContractModel = {
        source: req.source,
        contract: req.contract,
        run: (input, n) => askParent<Float32Array>(req.id, { input, n } satisfies RunAsk),
      };
      return { id: req.id, row: await readPictureBytes(req.path, req.bytes, served) };
    }
  }
}
