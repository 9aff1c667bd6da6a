/**
 * The server's heavy work, off the event loop: large inference bodies, picture decoding and preprocessing, and
 * reading lines run in worker threads (the one {@link WorkerPool}), under a {@link WorkGate} bounding the jobs at
 * once and the pixels their headers claim. A request waits for its place no longer than its deadline, and a job
 * whose request is abandoned (deadline, client gone) is stopped with its worker, which a fresh one replaces.
 */
import { availableParallelism } from 'node:os';
import type { InputContract } from '../runtime/contract.js';
import { canHoldClaim, MAX_PIXELS, readHeader, sniffFormat } from '../runtime/node/images.js';
import { pictureInput, type PictureInput } from '../runtime/node/picture-input.js';
import { readPictureBytes, type ReadRow } from '../runtime/node/read.js';
import { WorkerPool } from '../threads/pool.js';
import { startWorker } from '../threads/start-worker.js';
import { ApiError } from './api-error.js';
import { inferCallFromBody, type InferBodyHeaders } from './infer-body.js';
import type { InferCall, InferSpec } from './infer-request.js';
import type { PictureModel } from './models.js';
import { WorkGate } from './work-gate.js';

/** A job for a worker. */
export type WorkJob =
  | { task: 'infer'; body: Uint8Array; headers: InferBodyHeaders; spec: InferSpec }
  | { task: 'picture'; bytes: Uint8Array; contract: InputContract }
  | { task: 'read'; bytes: Uint8Array; contract: InputContract; source: string; path: string };

/** A job as sent, with the pool's request id. */
export type WorkRequest = WorkJob & { id: number };

/** A worker's answer: the result of its task, or the error to send (an ApiError's status and message). */
export interface WorkReply {
  id: number;
  infer?: InferCall;
  picture?: PictureInput;
  row?: ReadRow;
  error?: { status: number; message: string };
}

/** How much heavy work runs at once. */
export interface WorkOptions {
  /** Worker threads; 0: one per core but one, which the event loop and the model runs keep. */
  workers: number;
  /** Jobs in the workers at once; 0: one per worker. */
  maxJobs: number;
  /** Pixels the pictures being decoded may claim together; a picture claiming more runs alone. */
  pixelBudget: number;
  /**
   * Bodies up to this size, and pictures up to this size whose header claims at most `inlinePixels`, are handled
   * on the main thread: a worker's round trip would cost more than they do.
   */
  inlineBodyBytes: number;
  inlinePixels: number;
}

/** The defaults `serve` starts with. */
export const WORK_DEFAULTS: Readonly<WorkOptions> = Object.freeze({
  workers: 0,
  maxJobs: 0,
  pixelBudget: MAX_PIXELS,
  inlineBodyBytes: 64 * 1024,
  inlinePixels: 256 * 256,
});

/** A reading worker's question to the main thread: one run of the served model (answered with its output). */
export interface RunAsk {
  input: Float32Array;
  n: number;
}

/**
 * The pixels a picture claims, from its header alone; the whole budget when its header does not say (TIFF) or
 * cannot be read, and one pixel when it claims more than a picture may have or more than its bytes can code
 * (refused from the header, never decoded).
 */
export function claimedPixels(bytes: Uint8Array, budget: number): number {
  const format = sniffFormat(bytes);
  if (!format) return 1;
  try {
    const h = readHeader(bytes, format);
    if (!h) return budget;
    const px = h.width * h.height;
    return px > MAX_PIXELS || !canHoldClaim(bytes, format) ? 1 : Math.max(1, px);
  } catch {
    return 1;
  }
}

/** Worker threads for requests; started on first use, so a server that never needs them never pays for them. */
export class RequestWork {
  private pool: WorkerPool<WorkRequest, WorkReply> | undefined;
  private readonly gate: WorkGate;
  private readonly size: number;
  private closed = false;

  constructor(private readonly o: WorkOptions = WORK_DEFAULTS) {
    this.size = o.workers > 0 ? o.workers : Math.max(1, availableParallelism() - 1);
    this.gate = new WorkGate(o.maxJobs > 0 ? o.maxJobs : this.size, o.pixelBudget);
  }

  /** The inference call a raw body asks for, checked against `spec`; large bodies are parsed in a worker. */
  /** True when {@link inferCall} would parse `body` on the main thread. */
  parsesInline(body: Uint8Array): boolean {
    return body.length <= this.o.inlineBodyBytes;
  }

  async inferCall(
    body: Uint8Array,
    headers: InferBodyHeaders,
    spec: InferSpec,
    signal: AbortSignal,
  ): Promise<InferCall> {
    if (body.length <= this.o.inlineBodyBytes) return inferCallFromBody(body, headers, spec);
    const r = await this.job(0, signal, { task: 'infer', body, headers, spec });
    return r.infer!;
  }

  /** One picture -> one model input row (or the reason it cannot be one). */
  async pictureInput(bytes: Uint8Array, contract: InputContract, signal: AbortSignal): Promise<PictureInput> {
    const px = claimedPixels(bytes, this.o.pixelBudget);
    if (this.inline(bytes, px)) return pictureInput(bytes, contract);
    const r = await this.job(px, signal, { task: 'picture', bytes, contract });
    return r.picture!;
  }

  /** One picture -> the row of the line it holds, each model run through `m` (its batcher, when batching). */
  async read(bytes: Uint8Array, m: PictureModel, path: string, signal: AbortSignal): Promise<ReadRow> {
    const px = claimedPixels(bytes, this.o.pixelBudget);
    if (this.inline(bytes, px)) return readPictureBytes(path, bytes, m, { signal });
    const job: WorkJob = { task: 'read', bytes, contract: m.contract, source: m.source, path };
    const r = await this.job(px, signal, job, async (ask) => {
      const { input, n } = ask as RunAsk;
      return { answer: await m.run(input, n, signal) };
    });
    return r.row!;
  }

  /** Small enough that a worker's round trip would cost more than the work: a body and a picture both small. */
  private inline(bytes: Uint8Array, pixels: number): boolean {
    return bytes.length <= this.o.inlineBodyBytes && pixels <= this.o.inlinePixels;
  }

  /**
   * Stop the workers once the jobs they hold end, or after `waitMs` all the same (what they hold then fails).
   * Jobs still waiting for a place fail at once.
   */
  async close(waitMs: number): Promise<void> {
    this.closed = true;
    await this.pool?.close(waitMs);
  }

  private async job(
    cost: number,
    signal: AbortSignal,
    req: WorkJob,
    onAsk?: (ask: unknown) => Promise<{ answer: unknown }>,
  ): Promise<WorkReply> {
    const reply = await this.gate.run(cost, signal, () => {
      if (this.closed) throw new ApiError(503, 'the server is shutting down');
      this.pool ??= new WorkerPool<WorkRequest, WorkReply>(
        () => startWorker(import.meta.url, 'request-worker'),
        this.size,
        'request',
      );
      // the pool adds the id; Omit over a union keeps only the members' common fields, hence the cast
      return this.pool.request(req as Omit<WorkRequest, 'id'>, [], onAsk, signal).catch((err: Error) => {
        // abandoned (its worker was stopped for it): the deadline's own error
        if (err instanceof ApiError) throw err;
        // the workers were stopped (shutdown) or one died: the request may be retried elsewhere
        throw new ApiError(503, `${this.closed ? 'the server is shutting down' : err.message}; retry later`);
      });
    });
    if (reply.error) throw new ApiError(reply.error.status, reply.error.message);
    return reply;
  }
}
