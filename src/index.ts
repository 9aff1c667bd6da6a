/**
 * The Node API of lenet-onnx: what the CLI does, from code, with the same defaults, rows and messages. See
 * docs/api.md. Errors a caller can act on are {@link UserError}s whose message is the line the CLI prints.
 */
export { UserError, UsageError } from './errors.js';
export { PictureFailedError } from './api/errors.js';
export type { GrayPixels, PictureSource } from './api/picture.js';
export { DEFAULT_MODEL, loadModel, type Model } from './api/model.js';
export { predictFolder, readFolder, type PredictFolderOptions, type ReadFolderOptions } from './api/folders.js';
export {
  evaluate,
  exportModel,
  startServer,
  type EvaluateOptions,
  type EvaluationReport,
  type ExportOptions,
  type ExportResult,
  type ServeHandle,
  type ServerOptions,
} from './api/jobs.js';
export type { InputContract } from './runtime/contract.js';
export type { PredictRow, Ranked } from './runtime/node/predict.js';
export type { ReadRow } from './runtime/node/read.js';
export { VERSION } from './version.js';
