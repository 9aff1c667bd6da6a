/**
 * Dynamic batching in the manner of Triton's dynamic batcher: requests for one model wait in a queue for at
 * most `delayMs` so that those arriving together share one onnxruntime run of up to `maxBatch` rows. While
 * a run is in progress the queue fills; when it ends, whatever waited is run at once, since it has already
 * waited at least as long as a run takes.
 *
 * Rows are the first dimension of every input and every output, so a model is batched only when its graph
 * leaves that dimension free and fixes every other one (see {@link batchable}).
 */
import type { TensorData, TensorValue } from '../runtime/node/tensor-session.js';
import { ApiError } from './api-error.js';
import type { TensorMetadata } from './model-metadata.js';

/** Runs `n` rows of every input, laid out back to back per input, and returns every output for them. */
export type BatchRunner = (inputs: TensorData[], n: number) => Promise<TensorValue[]>;

/** Tuning of {@link DynamicBatcher}. */
export interface BatcherOptions {
  /** Most rows per run; a single request larger than this still runs, alone. */
  maxBatch: number;
  /** Longest a request waits for company before its batch runs. */
  delayMs: number;
}

interface Pending {
  inputs: TensorData[];
  n: number;
  resolve(out: TensorValue[]): void;
  reject(err: Error): void;
  signal?: AbortSignal;
}

/** Counters for tests and the benchmark: how many runs, how many rows, the largest batch. */
export interface BatcherStats {
  runs: number;
  rows: number;
  largest: number;
}

/**
 * True when requests of a model with these inputs and outputs can share a run: each input's first dimension is
 * free and the others fixed (rows of different requests then line up), and each output's first dimension is free
 * (so it can be split back by rows).
 */
export function batchable(inputs: TensorMetadata[], outputs: TensorMetadata[]): boolean {
  return (
    inputs.length > 0 &&
    inputs.every((t) => t.shape.length > 0 && t.shape[0] < 0 && t.shape.slice(1).every((d) => d >= 0)) &&
    outputs.every((t) => t.shape.length > 0 && t.shape[0] < 0)
  );
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
   * Queue `n` rows (of each input) and resolve with every output for them (copies of their own, not views of
   * the batch). A request whose `signal` aborts before its batch starts is dropped from the queue.
   */
  submit(inputs: TensorData[], n: number, signal?: AbortSignal): Promise<TensorValue[]> {
    if (this.closed) return Promise.reject(new ApiError(503, 'the server is shutting down'));
    if (signal?.aborted) return Promise.reject(signal.reason ?? new ApiError(503, 'request cancelled before it ran'));
    return new Promise((resolve, reject) => {
      this.queue.push({ inputs, n, resolve, reject, signal });
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
    const inputs = batch.length === 1 ? batch[0].inputs : batch[0].inputs.map((_, k) => joinRows(batch, k, rows));
    this.stats.runs++;
    this.stats.rows += rows;
    this.stats.largest = Math.max(this.stats.largest, rows);
    try {
      const outs = await this.run(inputs, rows);
      for (const o of outs) {
        if (o.dims[0] !== rows)
          throw new Error(
            `an output's first dimension is ${o.dims[0]} for a run of ${rows} rows; it cannot be batched`,
          );
      }
      let at = 0;
      for (const p of batch) {
        p.resolve(
          outs.map((o) => {
            const per = o.data.length / rows;
            return { data: o.data.slice(at * per, (at + p.n) * per), dims: [p.n, ...o.dims.slice(1)] };
          }),
        );
        at += p.n;
      }
    } catch (err) {
      for (const p of batch) p.reject(err as Error);
    }
  }
}

/** Input `k` of every request of a batch, rows back to back, in one array of its type. */
function joinRows(batch: Pending[], k: number, rows: number): TensorData {
  const first = batch[0].inputs[k];
  const per = first.length / batch[0].n;
  const joined = new (first.constructor as new (n: number) => TensorData)(rows * per);
  let at = 0;
  for (const p of batch) {
    joined.set(p.inputs[k].subarray(0, p.n * per) as never, at);
    at += p.n * per;
  }
  return joined;
}
