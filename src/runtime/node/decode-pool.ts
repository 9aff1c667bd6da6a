import { availableParallelism } from 'node:os';
import { startWorker } from '../../threads/start-worker.js';
import { WorkerPool } from '../../threads/pool.js';
import type { InputContract } from '../contract.js';

/** A chunk of files for one worker. */
export interface DecodeRequest {
  id: number;
  /** Files walkPictures yielded (seen as regular files), which the worker reads without a stat first. */
  paths: Array<string | Uint8Array>;
}

/**
 * Model inputs for a chunk (one picture after another) and, per file, null or the reason it failed, and how
 * many separate characters the picture clearly holds.
 */
export interface DecodeReply {
  id: number;
  input: Float32Array;
  errors: Array<string | null>;
  characters: number[];
}

/** What a decode worker is told first: the contract its inputs are made for. */
export interface DecodeSetup {
  contract: InputContract;
}

/**
 * worker_threads doing read + decode + preprocess, so every core decodes while the main thread runs the model.
 */
export class DecodePool {
  private readonly pool: WorkerPool<DecodeRequest, DecodeReply>;
  private ready = false;

  /**
   * Start the workers. Without `contract` they load their code and wait for {@link setup}: a caller can start
   * them before it has read the model file, which takes about as long as their start.
   * @param size number of workers; default: one per core.
   */
  constructor(size = availableParallelism(), contract?: InputContract) {
    this.pool = new WorkerPool(() => startWorker(import.meta.url, 'decode-worker'), size, 'decode');
    if (contract) this.setup(contract);
  }

  /** Tell every worker the model's contract; once, before the first {@link decode}. */
  setup(contract: InputContract): void {
    if (this.ready) throw new Error('DecodePool.setup: the workers already have their contract');
    this.pool.broadcast({ contract } satisfies DecodeSetup);
    this.ready = true;
  }

  /** Number of workers. */
  get size(): number {
    return this.pool.size;
  }

  /** Decode and preprocess `paths` (files walkPictures yielded without an error) in one worker. */
  decode(paths: Array<string | Uint8Array>): Promise<DecodeReply> {
    if (!this.ready) throw new Error('DecodePool.decode: setup(contract) comes first');
    return this.pool.request({ paths });
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
