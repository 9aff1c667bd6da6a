import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { OnnxFormatError, readOnnxInfo } from '../runtime/onnx-info.js';
import { initBackend } from '../train/backend.js';
import { loadModelDir } from '../train/model-io.js';
import { mnistParityInputs } from './export-model.js';
import { checkParity, formatParity, type ParityReport } from './verify.js';

/**
 * Read a file that should be ONNX; the error says in one line what it is not (never a protobuf stack).
 * @throws UserError for a missing file or bytes that are not an ONNX model.
 */
export async function readOnnxFile(file: string): Promise<Uint8Array> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await fs.readFile(file));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT' ? `ONNX file '${file}' not found; export one with 'lenet-onnx export'`
      : code === 'EISDIR' ? `'${file}' is a directory; expected an .onnx file` : `cannot read '${file}': ${(err as Error).message}`);
  }
  try {
    readOnnxInfo(bytes);
  } catch (err) {
    if (err instanceof OnnxFormatError) throw new UserError(`'${file}': ${err.message}; give an .onnx file written by 'lenet-onnx export'`);
    throw err;
  }
  return bytes;
}

/** Options of {@link verifyOnnxFile}. */
export interface VerifyFileOptions {
  onnx: string;
  against: string;
  samples: number;
  atol: number;
  data?: string;
}

/**
 * `lenet-onnx verify`: parity of an existing ONNX file with the tfjs model it came from.
 * @throws UserError when the parity check fails (after printing its figures) or the inputs are bad.
 */
export async function verifyOnnxFile(o: VerifyFileOptions, log: (line: string) => void): Promise<ParityReport> {
  const bytes = await readOnnxFile(o.onnx);
  await initBackend('auto');
  const model = await loadModelDir(o.against);
  try {
    let report: ParityReport;
    try {
      report = await checkParity(model, bytes, await mnistParityInputs(model, o.samples, o.data), o.atol);
    } catch (err) {
      if (err instanceof UserError) throw err;
      // onnxruntime refusing the graph (wrong input shape, unknown op) is a property of the file.
      throw new UserError(`'${o.onnx}' cannot be run against '${o.against}': ${String((err as Error).message).split('\n')[0]}`);
    }
    log(formatParity(report));
    if (!report.ok) throw new UserError(`parity check failed: '${o.onnx}' does not compute what '${o.against}' computes (max |diff| ${report.maxAbsDiff.toExponential(3)} > atol ${o.atol} or argmax disagreement)`);
    return report;
  } finally {
    model.dispose();
  }
}
