import { UserError } from '../errors.js';
import { readOnnxFile } from '../runtime/node/model-file.js';
import { roundWeightsThroughInt8 } from '../export/quantize.js';
import { initBackend } from '../train/backend.js';
import { loadModelDir } from '../train/models/model-io.js';
import { EXPORT_DEFAULTS, mnistParityInputs } from './export.js';
import { defaultInputRange, randomParityInputs } from './parity-inputs.js';
import { checkParity, formatParity, type ParityReport } from '../export/verify.js';

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
  const { bytes, info } = await readOnnxFile(o.onnx);
  await initBackend('auto');
  const model = await loadModelDir(o.against);
  try {
    // An int8 file computes what the model computes with its weights rounded through the same scales.
    if (info.metadata['quantization.type'] === 'int8') {
      roundWeightsThroughInt8(model);
      log('the file holds int8 weights: compared with the model rounded through the same per-channel scales');
    }
    let report: ParityReport;
    try {
      // A file without the digit contract (any other image model) is checked as export checked it: seeded
      // random inputs, fed in the file's input layout, tolerance relative to the output scale.
      const layout = info.metadata['export.input_layout'];
      report =
        layout === undefined
          ? await checkParity(model, bytes, await mnistParityInputs(model, o.samples, o.data), o.atol)
          : await checkParity(
              model,
              bytes,
              randomParityInputs(
                model,
                o.samples === EXPORT_DEFAULTS.verifySamples ? EXPORT_DEFAULTS.randomSamples : o.samples,
                defaultInputRange(model),
              ),
              o.atol,
              16,
              { rtol: EXPORT_DEFAULTS.rtol, inputLayout: layout === 'NCHW' ? 'nchw' : 'nhwc' },
            );
    } catch (err) {
      if (err instanceof UserError) throw err;
      // onnxruntime refusing the graph (wrong input shape, unknown op) is a property of the file.
      throw new UserError(
        `'${o.onnx}' cannot be run against '${o.against}': ${String((err as Error).message).split('\n')[0]}`,
      );
    }
    log(formatParity(report));
    if (!report.ok)
      throw new UserError(
        `parity check failed: '${o.onnx}' does not compute what '${o.against}' computes (max |diff| ${report.maxAbsDiff.toExponential(3)} > ${report.relative ? 'tolerance' : 'atol'} ${report.atol} or argmax disagreement)`,
      );
    return report;
  } finally {
    model.dispose();
  }
}
