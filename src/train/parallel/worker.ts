// Entry of a training worker thread: one model replica on its own tfjs backend, driven by the
// coordinator through shared memory (see train-parallel.ts for the protocol).
import * as tf from '@tensorflow/tfjs';
import { parentPort, workerData } from 'node:worker_threads';
import { initBackend, type BackendChoice } from '../backend.js';
import '../layers/index.js';
import { enableFastWasmGradients } from '../step/wasm-fast-grads.js';
import { Barrier, COMMAND, CTL, ReplicaAborted } from './barrier.js';
import { Replica, weightHash } from './replica.js';
import type { WorkerInit } from './protocol.js';
import { viewShared } from './shared.js';

async function run(init: WorkerInit, barrier: Barrier): Promise<void> {
  await initBackend(init.backend as BackendChoice);
  enableFastWasmGradients();
  const model = await tf.models.modelFromJSON(init.topology as tf.io.ModelJSON['modelTopology'] as never);
  model.setWeights(init.weights.map((w, i) => tf.tensor(w, model.weights[i].shape as number[])));
  const views = viewShared(init.shared);
  const replica = new Replica(model, views, init.config);
  parentPort!.postMessage({ type: 'ready' });
  const { batchSize, count } = init.config;
  const batches = Math.ceil(count / batchSize);
  let step = 0;
  for (;;) {
    replica.publishHash();
    barrier.arriveSync(); // epoch barrier: the coordinator has written the order and the command
    if (Atomics.load(views.control, CTL.command) === COMMAND.stop) break;
    for (let b = 0; b < batches; b++, step++) {
      if (init.fault && init.fault.step === step) {
        if (init.fault.how === 'exit') process.exit(70);
        throw new Error(`injected fault at step ${step}`);
      }
      const start = b * batchSize;
      replica.publish(step, start, Math.min(batchSize, count - start));
      barrier.arriveSync();
      replica.update(step);
      barrier.arriveSync();
      replica.load();
      if (init.checkEveryStep) {
        replica.publishHash();
        barrier.arriveSync();
      }
    }
  }
  parentPort!.postMessage({ type: 'done', hash: weightHash(model) });
  replica.dispose();
}

const init = workerData as WorkerInit;
const barrier = new Barrier(new Int32Array(init.shared.control), init.config.ranks);
run(init, barrier).catch((err: unknown) => {
  if (err instanceof ReplicaAborted) {
    // Another replica failed first: leave quietly, the coordinator reports that one.
    parentPort!.postMessage({ type: 'aborted' });
    return;
  }
  barrier.abort(init.config.rank);
  throw err;
});
