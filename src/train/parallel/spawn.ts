import type { Worker } from 'node:worker_threads';
import { startWorker } from '../../threads/start-worker.js';

/** Start a training worker thread (worker.ts beside this file). */
export function spawnWorker(workerData: unknown): Worker {
  // The tfjs "install the node backend" banner would be printed once per worker: keep worker stdout.
  const worker = startWorker(import.meta.url, 'worker', { workerData, execArgv: [], stdout: true });
  worker.stdout.resume();
  return worker;
}
