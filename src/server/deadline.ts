/**
 * A per-request deadline for the API: one signal that aborts when the time is up (503) or when the client is
 * gone (its response closed), so queued work for an abandoned request is dropped instead of run.
 */
import type { FastifyReply } from 'fastify';
import { ApiError } from './api-error.js';

/** A signal for this request's work, aborted with an {@link ApiError} as its reason. */
export function requestDeadline(reply: FastifyReply, timeoutMs: number): AbortSignal {
  const ac = new AbortController();
  const timer = setTimeout(
    () => ac.abort(new ApiError(503, `request timed out after ${timeoutMs} ms (--request-timeout-ms); retry later`)),
    timeoutMs,
  );
  reply.raw.once('close', () => {
    clearTimeout(timer);
    if (!ac.signal.aborted) ac.abort(new ApiError(499, 'client closed the request'));
  });
  return ac.signal;
}

/** `work`, or the signal's reason as soon as it aborts, whichever comes first. */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}
