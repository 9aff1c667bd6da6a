/**
 * The worker's side of a pool's close (see WorkerPool.close): the pool asks each worker to end instead of
 * terminating it, because a thread torn down while a native call of its own is still under way (an onnxruntime
 * session being created, say) aborts the whole process.
 */
import { parentPort } from 'node:worker_threads';

/** The message a pool posts to ask a worker to end. */
export const CLOSE_MESSAGE = { poolClose: true } as const;

let cleanup: () => Promise<void> | void = () => undefined;

/** What this worker must finish before it ends (await a model still loading, release it). */
export function beforeClose(fn: () => Promise<void> | void): void {
  cleanup = fn;
}

/**
 * End this worker if `message` is the pool's close: run the cleanup, then close the port so the thread ends once
 * nothing else is pending. False when it is no close (a request, for the caller to run). Call first in the
 * worker's message handler.
 */
export function takeClose(message: unknown): boolean {
  if (typeof message !== 'object' || message === null || !('poolClose' in message)) return false;
  void Promise.resolve()
    .then(cleanup)
    .catch(() => undefined)
    .finally(() => parentPort!.close());
  return true;
}
