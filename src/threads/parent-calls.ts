/**
 * The worker's side of a pool's questions (see PoolAsk in pool.ts): while it holds request `id`, a worker may ask
 * the thread that sent it for something only that thread has (a model run through its batcher, say) and wait
 * for the answer. One question per request at a time.
 */
import { parentPort } from 'node:worker_threads';

const waiting = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();

/** Ask the parent about request `id` and wait for its answer; rejects with the parent's error message. */
export function askParent<T>(id: number, ask: unknown, transfer: ArrayBuffer[] = []): Promise<T> {
  if (waiting.has(id)) return Promise.reject(new Error(`request ${id} already has a question open`));
  return new Promise<T>((resolve, reject) => {
    waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    parentPort!.postMessage({ id, ask }, transfer);
  });
}

/**
 * Deliver `message` to the question it answers; false when it is no answer (a request, for the caller to run).
 * Call first in the worker's message handler.
 */
export function takeAnswer(message: unknown): boolean {
  if (typeof message !== 'object' || message === null) return false;
  const m = message as { id?: number; answer?: unknown; askError?: string };
  if (!('answer' in m) && !('askError' in m)) return false;
  const w = waiting.get(m.id!);
  if (!w) return true;
  waiting.delete(m.id!);
  if ('askError' in m) w.reject(new Error(m.askError));
  else w.resolve(m.answer);
  return true;
}
