/**
 * Dynamic batching in the manner of Triton's dynamic batcher: requests for one model wait in a queue for at
 * most `delayMs` so that those arriving together share one onnxruntime run of up to `maxBatch` rows. While
 * a run is in progress the queue fills; when it ends, whatever waited is run at once, since it has already
 * waited at least as long as a run takes.
 */
import { ApiError } from './api-error.js';

/** Runs `n` rows laid out back to back and returns their outputs, back to back. */
export type BatchRunner = (input: Float32Array, n: number) => Promise<Float32Array>;

/** Tuning of {@link DynamicBatcher}. */
export interface BatcherOptions {
  /** Most rows per run; a single request larger than this still runs, alone. */
  maxBatch: number;
  /** Longest a request waits for company before its batch runs. */
  delayMs: number;
  /** Values per input row and per output row. */
  inputSize: number;
  outputSize: number;
}

interface Pending {
  input: Float32Array;
  n: number;
  resolve(out: Float32Array): void;
  reject(err: Error): void;
  signal?: AbortSignal;
}

/** Counters for tests and the benchmark: how many runs, how many rows, the largest batch. */
export interface BatcherStats {
  runs: number;
  rows: number;
  largest: number;
}

/** Coalesces concurrent {@link DynamicBatcher.submit} calls into shared model runs. */
export class DynamicBatcher {
  private queue: Pending[] = [];
  private queuedRows = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  readonly stats: BatcherStats = { runs: 0, rows: 0, largest: 0 };

  constructor(
    private readonly run: BatchRunner,
    private readonly o: BatcherOptions,
  ) {}

  /**
   * Queue `n` rows and resolve with their `n * outputSize` outputs (a copy of their own, not a view of
   * the batch). A request whose `signal` aborts before its batch starts is dropped from the queue.
   */
  submit(input: Float32Array, n: number, signal?: AbortSignal): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new ApiError(503, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(signal.reason ?? new ApiError(503, 'request cancelled before it ran'));
    return new Promise((resolve, reject) => {
      this.queue.push({ input, n, resolve, reject, signal });
      this.queuedRows += n;
      this.schedule();
    });
  }

  /** Refuse new work; what is queued still runs. */
  close(): void {
    this.closed = true;
  }

  private schedule(): void {
    if (this.running || this.queue.length === 0) return;
    if (this.queuedRows >= this.o.maxBatch || this.o.delayMs <= 0) return this.flush();
    this.timer ??= setTimeout(() => this.flush(), this.o.delayMs);
  }

  private flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch: Pending[] = [];
    let rows = 0;
    while (this.queue.length > 0) {
      const p = this.queue[0];
      if (batch.length > 0 && rows + p.n > this.o.maxBatch) break;
      this.queue.shift();
      this.queuedRows -= p.n;
      if (p.signal?.aborted) {
        p.reject(p.signal.reason ?? new ApiError(503, 'request cancelled before it ran'));
        continue;
      }
      batch.push(p);
      rows += p.n;
    }
    if (batch.length === 0) return this.schedule();
    this.running = true;
    void this.execute(batch, rows).finally(() => {
      this.running = false;
      // whatever queued meanwhile has waited a whole run already: no further delay
      if (this.queue.length > 0) this.flush();
    });
  }

  private async execute(batch: Pending[], rows: number): Promise<void> {
    const { inputSize, outputSize } = this.o;
    let input: Float32Array;
    if (batch.length === 1) {
      input = batch[0].input;
    } else {
      input = new Float32Array(rows * inputSize);
      let at = 0;
      for (const p of batch) {
        input.set(p.input.subarray(0, p.n * inputSize), at);
        at += p.n * inputSize;
      }
    }
    this.stats.runs++;
    this.stats.rows += rows;
    this.stats.largest = Math.max(this.stats.largest, rows);
    try {
      const out = await this.run(input, rows);
      let at = 0;
      for (const p of batch) {
        p.resolve(out.slice(at, at + p.n * outputSize));
        at += p.n * outputSize;
      }
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }
}
