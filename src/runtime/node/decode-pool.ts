import { availableParallelism } from 'node:os';
import { startWorker } from '../../threads/start-worker.js';
import { WorkerPool } from '../../threads/pool.js';
import type { InputContract } from '../contract.js';

/** A chunk of files for one worker. */
export interface DecodeRequest {
  id: number;
  /** Files walkPictures yielded (seen as regular files), which the worker reads without a stat first. */
  paths: string[];
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

/**
 * worker_threads doing read + decode + preprocess, so every core decodes while the main thread runs the model.
 */
export class DecodePool {
  private readonly pool: WorkerPool<DecodeRequest, DecodeReply>;

  /** @param size number of workers; default: one per core. */
  constructor(contract: InputContract, size = availableParallelism()) {
    this.pool = new WorkerPool(() => startWorker(import.meta.url, 'decode-worker', { workerData: { contract } }), size, 'decode');
  }

  /** Decode and preprocess `paths` (files walkPictures yielded without an error) in one worker. */
  decode(paths: string[]): Promise<DecodeReply> {
    return this.pool.request({ paths });
  }

  /** Stop every worker. */
  async close(): Promise<void> {
    await this.pool.close();
  }
}
