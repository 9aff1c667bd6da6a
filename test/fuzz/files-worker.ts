// The fuzz cases of files.test.ts run here, in a worker thread, so that a case spinning in synchronous code (a
// parser loop, a graph rebuild) can be stopped by the test's watchdog: the worker is terminated and the case named.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parentPort } from 'node:worker_threads';
import { UserError } from '../../src/errors.js';
import { checkDatasetFits, readMnist } from '../../src/data/idx.js';
import { initBackend } from '../../src/train/backend.js';
import { loadModelDir } from '../../src/train/models/model-io.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { ModelFileError, readModelBytes } from '../../src/runtime/model-file.js';
import { ContractError } from '../../src/runtime/contract.js';
import { OnnxFormatError } from '../../src/onnx/info.js';
import { inspectOnnx } from '../../src/jobs/inspect.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';

/** What the test sends: which file of which set to replace with `bytes`, and the unmutated files of the set. */
export interface FuzzRequest {
  target: 'idx' | 'model' | 'onnx';
  /** The set's files by name; the mutated one is among them. */
  files: Record<string, Uint8Array>;
}

/** What comes back: the error class a case ended with (or 'ok'), its message; or a crash with its stack. */
export type FuzzReply = { outcome: string; message?: string } | { crash: string };

await initBackend('cpu');
const dir = mkdtempSync(path.join(tmpdir(), 'lenet-fuzz-files-'));
const OURS = [UserError, ModelFileError, ContractError, OnnxFormatError];

async function run(req: FuzzRequest): Promise<string> {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir);
  for (const [name, bytes] of Object.entries(req.files)) {
    writeFileSync(path.join(dir, name), bytes);
  }
  if (req.target === 'idx') {
    // what train --data does before training: read both parts, check them against the architecture
    const fit = { rows: MNIST_CONTRACT.height, cols: MNIST_CONTRACT.width, labels: MNIST_CONTRACT.labels };
    for (const part of ['train', 'test'] as const)
      checkDatasetFits(await readMnist(part, dir), fit, "architecture 'lenet5'");
    return 'ok';
  }
  if (req.target === 'model') {
    const model = await loadModelDir(dir);
    model.dispose();
    return 'ok';
  }
  // what inspect and predict --model do with an ONNX file
  const file = path.join(dir, 'model.onnx');
  await inspectOnnx(file);
  readModelBytes(req.files['model.onnx'], file);
  const model = await loadDigitModel(file);
  await model.close();
  return 'ok';
}

parentPort!.on('message', async (req: FuzzRequest) => {
  let reply: FuzzReply;
  try {
    reply = { outcome: await run(req) };
  } catch (err) {
    const ours = OURS.some((cls) => err instanceof cls);
    reply = ours
      ? { outcome: (err as Error).name, message: (err as Error).message }
      : { crash: (err as Error)?.stack ?? String(err) };
  }
  parentPort!.postMessage(reply);
});
parentPort!.postMessage({ outcome: 'ready' });
