/**
 * Files and folders as async iterables of rows, in input order, with the CLI's bounded memory: the streams
 * behind `lenet-onnx predict` and `lenet-onnx read`. A picture that fails is a row with `error`; the walk goes on.
 */
import { availableParallelism } from 'node:os';
import { predictStream, type PredictRow } from '../runtime/node/predict.js';
import { readStream } from '../runtime/node/read-stream.js';
import type { ReadRow } from '../runtime/node/read.js';
import { loadDigitModel } from '../runtime/node/session.js';
import { walkPictures } from '../runtime/node/walk.js';
import { PREDICT_DEFAULTS } from '../jobs/predict.js';
import { DEFAULT_MODEL } from './model.js';

/** Options of {@link predictFolder}. */
export interface PredictFolderOptions {
  /** ONNX model file (default: the package's). */
  model?: string;
  batchSize?: number;
  topK?: number;
  /** Decode threads. */
  workers?: number;
}

/** Options of {@link readFolder}. */
export interface ReadFolderOptions {
  model?: string;
  /** Worker threads, each with its own session. */
  workers?: number;
}

/**
 * One row per picture under `paths` (files, or folders walked recursively in name order), as `lenet-onnx predict`.
 * Stop early with `break`: the model and the decode threads are released either way.
 */
export async function* predictFolder(
  paths: string | readonly string[],
  o: PredictFolderOptions = {},
): AsyncGenerator<PredictRow> {
  const model = await loadDigitModel(o.model ?? DEFAULT_MODEL);
  try {
    yield* predictStream(walkPictures(typeof paths === 'string' ? [paths] : paths), model, {
      batchSize: o.batchSize ?? PREDICT_DEFAULTS.batchSize,
      topK: o.topK ?? PREDICT_DEFAULTS.topK,
      workers: o.workers ?? PREDICT_DEFAULTS.workers,
    });
  } finally {
    await model.close();
  }
}

/** One row per picture under `paths`, each the line of characters it holds, as `lenet-onnx read`. */
export async function* readFolder(
  paths: string | readonly string[],
  o: ReadFolderOptions = {},
): AsyncGenerator<ReadRow> {
  yield* readStream(walkPictures(typeof paths === 'string' ? [paths] : paths), o.model ?? DEFAULT_MODEL, {
    workers: o.workers ?? Math.min(2, availableParallelism()),
  });
}
