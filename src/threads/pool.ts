import type { Worker } from 'node:worker_threads';
import { CLOSE_MESSAGE } from './worker-close.js';

/** Longest a worker asked to end (see worker-close.ts) may take before it is terminated all the same. */
const END_GRACE_MS = 5000;

/** What a pooled worker answers: the id of the request it replies to. */
export interface PoolReply {
  id: number;
}

/**
 * A question a worker asks about a request it holds, before its reply (`{id, ask}`); the pool answers with
 * `{id, answer}` or `{id, askError}` (see parent-calls.ts for the worker's side).
 */
export interface PoolAsk {
  id: number;
  ask: unknown;
}

/** Answers a worker's {@link PoolAsk} for one request: the value posted back, and buffers to transfer with it. */
export type AskHandler = (ask: unknown) => Promise<{ answer: unknown; transfer?: ArrayBuffer[] }>;

interface Pending<Reply> {
  worker: number;
  resolve(r: Reply): void;
  reject(e: Error): void;
  onAsk?: AskHandler;
}

/**
 * Request/reply worker threads: each request goes to the worker with the fewest outstanding ones, so every
 * core stays busy; a worker that dies fails only its own requests.
 */
export class WorkerPool<Req extends { id: number }, Reply extends PoolReply> {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, Pending<Reply>>();
  private nextId = 0;
  private readonly inFlight = new Set<Promise<Reply>>();
  /** Everything broadcast, for a worker started in place of a stopped one. */
  private readonly broadcasts: unknown[] = [];
  private closed = false;

  /**
   * @param start starts worker number `w`.
   * @param size number of workers (at least one).
   * @param what names the workers in errors.
   */
  constructor(
    private readonly start: (w: number) => Worker,
    size: number,
    private readonly what: string,
  ) {
    for (let w = 0; w < Math.max(1, size); w++) {
      this.workers.push(this.spawn(w));
      this.load.push(0);
    }
  }

  private spawn(w: number): Worker {
    const worker = this.start(w);
    worker.on('message', (reply: Reply | PoolAsk) => {
      const p = this.pending.get(reply.id);
      if (!p) return;
      if ('ask' in reply) return this.answer(worker, reply, p);
      this.pending.delete(reply.id);
      this.load[w]--;
      p.resolve(reply);
    });
    worker.on('error', (err) => this.failWorker(w, err));
    worker.on('exit', (code) => {
      if (code !== 0) this.failWorker(w, new Error(`${this.what} worker exited with code ${code}`));
    });
    for (const m of this.broadcasts) worker.postMessage(m);
    return worker;
  }

  /** Number of workers. */
  get size(): number {
    return this.workers.length;
  }

  /** Send `message` to every worker, before any request that depends on it (a port keeps its order); no reply. */
  broadcast(message: unknown): void {
    this.broadcasts.push(message);
    for (const w of this.workers) w.postMessage(message);
  }

  /**
   * Send `req` (an id is added) to the least loaded worker.
   * @param onAsk answers the questions the worker asks while it holds this request (none expected without it).
   * @param signal abandons the request: once it aborts, a worker still holding the request is stopped and a fresh
   *   one started in its place (the requests it held fail with the signal's reason), so abandoned work does not
   *   run on.
   */
  request(
    req: Omit<Req, 'id'>,
    transfer: ArrayBuffer[] = [],
    onAsk?: AskHandler,
    signal?: AbortSignal,
  ): Promise<Reply> {
    const id = this.nextId++;
    let w = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i] < this.load[w]) w = i;
    this.load[w]++;
    const reply = new Promise<Reply>((resolve, reject) => {
      this.pending.set(id, { worker: w, resolve, reject, onAsk });
      this.workers[w].postMessage({ ...req, id }, transfer);
    });
    this.inFlight.add(reply);
    const abandon = () => {
      const p = this.pending.get(id);
      if (p) this.restart(p.worker, signal!.reason instanceof Error ? signal!.reason : new Error('request abandoned'));
    };
    if (signal?.aborted) abandon();
    else signal?.addEventListener('abort', abandon, { once: true });
    const forget = () => {
      this.inFlight.delete(reply);
      signal?.removeEventListener('abort', abandon);
    };
    reply.then(forget, forget);
    return reply;
  }

  /**
   * Stop worker `w` now and start another in its place. What it held fails with `reason` once it has exited, not
   * before: whoever waits on those requests (a budget of memory, say) is freed only when that memory is.
   */
  private restart(w: number, reason: Error): void {
    if (this.closed) return;
    const old = this.workers[w];
    // its exit must not fail the requests of the worker that replaces it under the same index
    old.removeAllListeners();
    old.on('error', () => undefined);
    const held = [...this.pending].filter(([, p]) => p.worker === w);
    for (const [id] of held) this.pending.delete(id);
    this.load[w] -= held.length;
    this.workers[w] = this.spawn(w);
    void old.terminate().finally(() => {
      for (const [, p] of held) p.reject(reason);
    });
  }

  /**
   * Stop every worker, once the requests they hold are answered: a worker stopped in the middle of its work
   * (inside a zlib call, say) can abort the whole process while Node tears it down.
   * @param waitMs longest to wait for those answers; past it the workers are stopped all the same and what they
   *   still hold fails (a server whose shutdown grace is spent).
   */
  async close(waitMs = Infinity): Promise<void> {
    this.closed = true;
    const answered = Promise.allSettled(this.inFlight).then(() => true);
    let allAnswered: boolean;
    if (waitMs === Infinity) {
      allAnswered = await answered;
    } else {
      let timer: NodeJS.Timeout | undefined;
      allAnswered = await Promise.race([
        answered,
        new Promise<boolean>((r) => (timer = setTimeout(() => r(false), waitMs))),
      ]);
      clearTimeout(timer);
    }
    for (let w = 0; w < this.workers.length; w++) this.failWorker(w, new Error(`${this.what} workers stopped`));
    // Idle workers are asked to end and given time to finish what they started on their own (a model still
    // loading); busy ones, whose grace is already spent, are stopped at once.
    await Promise.all(this.workers.map((w) => (allAnswered ? this.end(w) : w.terminate())));
  }

  /** Ask worker `w` to end (see worker-close.ts); terminate it if it has not within END_GRACE_MS. */
  private end(worker: Worker): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      if (worker.threadId === -1) return resolve(undefined); // already ended
      const timer = setTimeout(() => void worker.terminate().then(resolve, resolve), END_GRACE_MS);
      worker.once('exit', () => {
        clearTimeout(timer);
        resolve(undefined);
      });
      worker.postMessage(CLOSE_MESSAGE);
    });
  }

  private answer(worker: Worker, a: PoolAsk, p: Pending<Reply>): void {
    const handle = p.onAsk ?? (() => Promise.reject(new Error(`${this.what} worker asked a question no one answers`)));
    handle(a.ask).then(
      (r) => worker.postMessage({ id: a.id, answer: r.answer }, r.transfer ?? []),
      (err: Error) => worker.postMessage({ id: a.id, askError: err.message }),
    );
  }

  private failWorker(w: number, err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker === w) {
        this.pending.delete(id);
        this.load[w]--;
        p.reject(err);
      }
    }
  }
}
