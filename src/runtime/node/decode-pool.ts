import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { InputContract } from '../contract.js';

/** A chunk of files for one worker. */
export interface DecodeRequest {
  id: number;
  paths: string[];
}

/** Model inputs for a chunk (one picture after another) and, per file, null or the reason it failed. */
export interface DecodeReply {
  id: number;
  input: Float32Array;
  errors: Array<string | null>;
}

// Compiled code runs dist/runtime/node/decode-worker.js. Tests and benches run the .ts source; a worker's
// entry point is loaded before any --import hook, so the worker first registers tsx, then imports the source.
const FROM_SOURCE = import.meta.url.endsWith('.ts');
const WORKER_URL = new URL(`./decode-worker${FROM_SOURCE ? '.ts' : '.js'}`, import.meta.url);

function startWorker(workerData: unknown): Worker {
  if (!FROM_SOURCE) return new Worker(WORKER_URL, { workerData });
  const boot = `import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(WORKER_URL.href)}); })`;
  return new Worker(boot, { eval: true, workerData });
}

/**
 * worker_threads doing read + decode + preprocess. Chunks go to the worker with the fewest outstanding
 * chunks, so both cores stay busy while the main thread runs the model.
 */
export class DecodePool {
  private readonly workers: Worker[] = [];
  private readonly load: number[] = [];
  private readonly pending = new Map<number, { worker: number; resolve(r: DecodeReply): void; reject(e: Error): void }>();
  private nextId = 0;

  /** @param size number of workers; default: one per core. */
  constructor(contract: InputContract, size = availableParallelism()) {
    for (let w = 0; w < Math.max(1, size); w++) {
      const worker = startWorker({ contract });
      worker.on('message', (reply: DecodeReply) => {
        const p = this.pending.get(reply.id);
        if (!p) return;
        this.pending.delete(reply.id);
        this.load[w]--;
        p.resolve(reply);
      });
      worker.on('error', (err) => this.failWorker(w, err));
      worker.on('exit', (code) => {
        if (code !== 0) this.failWorker(w, new Error(`decode worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.load.push(0);
    }
  }

  /** Decode and preprocess `paths` in one worker. */
  decode(paths: string[]): Promise<DecodeReply> {
    const id = this.nextId++;
    let w = 0;
    for (let i = 1; i < this.load.length; i++) if (this.load[i] < this.load[w]) w = i;
    this.load[w]++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { worker: w, resolve, reject });
      this.workers[w].postMessage({ id, paths } satisfies DecodeRequest);
    });
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private failWorker(w: number, err: Error): void {
    for (const [id, p] of this.pending) {
      if (p.worker === w) {
        this.pending.delete(id);
        p.reject(err);
      }
    }
  }
}
