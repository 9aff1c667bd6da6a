import { startWorker } from '../../threads/start-worker.js';
import { WorkerPool } from '../../threads/pool.js';
import type { ReadTextOptions } from '../read-text.js';
import type { ReadRow } from './read.js';

/** What every read worker is started with. */
export interface ReadWorkerData {
  model: string;
  options: ReadTextOptions;
  keepDebug: boolean;
}

/** A chunk of files for one worker. */
export interface ReadChunk {
  id: number;
  /** Files walkPictures yielded (seen as regular files), which the worker reads without a stat first. */
  paths: Array<string | Uint8Array>;
}

/** The rows of a chunk, in its order; `failure` when the worker could not read at all (e.g. the model). */
export interface ReadChunkReply {
  id: number;
  rows: ReadRow[];
  failure?: string;
}

/** Worker threads that read pictures, each with its own model session. */
export function readPool(data: ReadWorkerData, size: number): WorkerPool<ReadChunk, ReadChunkReply> {
  return new WorkerPool<ReadChunk, ReadChunkReply>(
    () => startWorker(import.meta.url, 'read-worker', { workerData: data }),
    size,
    'read',
  );
}
