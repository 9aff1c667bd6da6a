/**
 * The models a server answers for. Any ONNX file is served over the Open Inference Protocol, with its inputs and
 * outputs as its graph declares them; a file that carries the lenet-onnx input contract also takes pictures
 * (`/v1/*`). Each file has its own session and, when its graph allows it, its own batcher. A file is served
 * under its stem (`models/classic.onnx` is `classic`) as version `1`, unless given a name and version.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UsageError, UserError } from '../errors.js';
import { inputShape, type InputContract } from '../runtime/contract.js';
import type { ContractModel } from '../runtime/model.js';
import { readAnyModelFile } from '../runtime/node/model-file.js';
import { openTensorSession, type TensorSession, type TensorValue } from '../runtime/node/tensor-session.js';
import { batchable, DynamicBatcher } from './batcher.js';
import type { CallTensor, InferSpec } from './infer-request.js';
import { MODEL_VERSION, modelMetadata, type ModelMetadata } from './model-metadata.js';

/** How requests reach a session: through a dynamic batcher, or one run each. */
export interface BatchingOptions {
  /** Off: every request is its own onnxruntime run. */
  enabled: boolean;
  maxBatch: number;
  delayMs: number;
}

/**
 * What the picture routes need of a model that carries the digit contract: the runtime's one model interface,
 * whose `run` goes through the model's batcher when it has one (and drops a queued run whose signal aborts),
 * plus row sizes.
 */
export interface PictureModel extends ContractModel {
  /** Values per input row (channels * height * width) and per output row (labels). */
  inputSize: number;
  outputSize: number;
}

/** One model (one version of one name) as the server holds it. */
export interface ServedModel {
  name: string;
  version: string;
  file: string;
  metadata: ModelMetadata;
  /** What an inference request is checked against: the graph's inputs and outputs. */
  spec: InferSpec;
  /**
   * Every output of `spec.outputs`, in that order, for a checked call; through the batcher when there is one.
   * @throws ModelRunError when onnxruntime refuses the inputs.
   */
  run(inputs: CallTensor[], n: number, signal?: AbortSignal): Promise<TensorValue[]>;
  /** Present when batching is on and the graph's first dimensions are free (see `batchable`). */
  batcher?: DynamicBatcher;
  /** Present for a model carrying the digit contract; absent for any other ONNX file. */
  pictures?: PictureModel;
  /** Every version of this model's name, this one included, by version. */
  versions: ReadonlyMap<string, ServedModel>;
  close(): Promise<void>;
}

/** A file to serve, under a name and version. */
export interface ServedEntry {
  file: string;
  name: string;
  version: string;
}

/** The name a file is served under. */
export function modelName(file: string): string {
  return path.parse(file).name;
}

/** `NAME@VERSION=FILE` or `NAME=FILE`: a name that holds no path separator, a version a positive whole number. */
const NAMED = /^([A-Za-z0-9_][A-Za-z0-9_.-]*)(?:@([^=]*))?=(.+)$/;

/**
 * What `--model` names: a file, served under its stem as version 1; or `NAME=FILE`, or `NAME@VERSION=FILE` to
 * serve several files as versions of one name (Triton's numbering: positive whole numbers, the highest the
 * default). A path holding `=` is given with a folder part (`./a=b.onnx`).
 * @throws UsageError for a version that is not a positive whole number.
 */
export function servedEntry(spec: string): ServedEntry {
  const m = NAMED.exec(spec);
  if (!m) return { file: spec, name: modelName(spec), version: MODEL_VERSION };
  const [, name, version, file] = m;
  if (version !== undefined && !/^[1-9]\d{0,8}$/.test(version))
    throw new UsageError(
      `--model '${spec}': version '${version}' is not a positive whole number; give NAME@VERSION=FILE, e.g. lenet5@20=models/lenet5-e20.onnx`,
    );
  return { file, name, version: version ?? MODEL_VERSION };
}

/** The `.onnx` files directly inside `dir`, sorted by name. */
export async function onnxFilesIn(dir: string): Promise<string[]> {
  let names: string[];
  try {
    names = await fs.readdir(dir);
  } catch (err) {
    throw new UserError(
      `--model-dir '${dir}': ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder' : (err as Error).message}`,
    );
  }
  const files = names
    .filter((n) => n.endsWith('.onnx'))
    .sort()
    .map((n) => path.join(dir, n));
  if (files.length === 0)
    throw new UserError(`--model-dir '${dir}': no .onnx files in it; export one with \`lenet-onnx export\``);
  return files;
}

/**
 * Load every entry and give each its session and batcher. The map holds each name once, at its default version:
 * the highest, as Triton's "latest" policy serves; the others are reached through `versions`.
 * @throws UserError when two entries share a name and version or a file is not a usable model.
 */
export async function loadServedModels(
  entries: ServedEntry[],
  batching: BatchingOptions,
): Promise<Map<string, ServedModel>> {
  const byName = new Map<string, Map<string, ServedModel>>();
  const loaded: ServedModel[] = [];
  try {
    for (const e of entries) {
      const versions = byName.get(e.name) ?? new Map<string, ServedModel>();
      byName.set(e.name, versions);
      const twin = versions.get(e.version);
      if (twin)
        throw new UserError(
          `models '${twin.file}' and '${e.file}' would both be served as '${e.name}' version ${e.version}; rename one`,
        );
      const m = await serve(e, versions, batching);
      loaded.push(m);
      versions.set(e.version, m);
    }
  } catch (err) {
    for (const m of loaded) await m.close();
    throw err;
  }
  const models = new Map<string, ServedModel>();
  for (const [name, versions] of byName) {
    const order = [...versions.keys()].sort((a, b) => Number(a) - Number(b));
    for (const m of versions.values()) m.metadata.versions = order;
    models.set(name, versions.get(order[order.length - 1])!);
  }
  return models;
}

async function serve(
  e: ServedEntry,
  versions: ReadonlyMap<string, ServedModel>,
  batching: BatchingOptions,
): Promise<ServedModel> {
  const { bytes, info, contract } = await readAnyModelFile(e.file);
  if (contract && info.inputs.length !== 1)
    throw new UserError(
      `model '${e.file}': its contract names input '${contract.inputName}', but the graph has ${info.inputs.length} inputs; a picture model takes the picture alone`,
    );
  const session = await openTensorSession(e.file, bytes, info);
  const metadata = modelMetadata(e.name, [], info, contract);
  const spec: InferSpec = { inputs: metadata.inputs, outputs: metadata.outputs };
  const outputNames = spec.outputs.map((o) => o.name);
  const runSession = runner(session, e, outputNames);
  const batcher =
    batching.enabled && batchable(spec.inputs, spec.outputs)
      ? new DynamicBatcher(
          (inputs, n) =>
            runSession(
              inputs.map((data, k) => ({
                name: spec.inputs[k].name,
                data,
                shape: [n, ...spec.inputs[k].shape.slice(1)],
              })),
            ),
          { maxBatch: batching.maxBatch, delayMs: batching.delayMs },
        )
      : undefined;
  const run: ServedModel['run'] = batcher
    ? (inputs, n, signal) =>
        batcher.submit(
          inputs.map((t) => t.data),
          n,
          signal,
        )
    : // the session may keep a view of its outputs; copies belong to the caller
      async (inputs) => (await runSession(inputs)).map((o) => ({ data: o.data.slice(), dims: o.dims }));
  return {
    ...e,
    metadata,
    spec,
    run,
    batcher,
    pictures: contract && pictureModel(contract, outputNames, run, e.file),
    versions,
    close: async () => {
      batcher?.close();
      await session.close();
    },
  };
}

/**
 * onnxruntime refused a run. The values of an inference request, checked against the declared shapes, can still
 * break what the graph leaves unsaid (symbolic dimensions that must agree): `/v2` answers that as the client's 422.
 */
export class ModelRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelRunError';
  }
}

/** One session run for named inputs. */
function runner(session: TensorSession, e: ServedEntry, outputs: string[]) {
  return async (inputs: CallTensor[]): Promise<TensorValue[]> => {
    try {
      return await session.run(
        Object.fromEntries(inputs.map((t) => [t.name, { data: t.data, dims: t.shape }])),
        outputs,
      );
    } catch (err) {
      throw new ModelRunError(
        `model '${e.name}' cannot run on these inputs: onnxruntime says ${(err as Error).message.split('\n')[0]}`,
      );
    }
  };
}

/** The picture side of a contract model: one FP32 input, probabilities out. */
function pictureModel(
  contract: InputContract,
  outputNames: string[],
  run: ServedModel['run'],
  file: string,
): PictureModel {
  const inputSize = contract.channels * contract.height * contract.width;
  const outputSize = contract.labels.length;
  const at = outputNames.indexOf(contract.outputName);
  const picture: PictureModel = {
    source: file,
    contract,
    inputSize,
    outputSize,
    async run(input, n, signal) {
      const outs = await run(
        [{ name: contract.inputName, shape: inputShape(contract, n), data: input.subarray(0, n * inputSize) }],
        n,
        signal,
      );
      const probs = outs[at].data;
      if (!(probs instanceof Float32Array) || probs.length !== n * outputSize)
        throw new UserError(
          `model '${file}': output '${contract.outputName}' has ${probs.length} values for ${n} pictures, expected ${n * outputSize} float32 (${outputSize} labels)`,
        );
      return probs;
    },
  };
  return picture;
}

/** Release every session, of every version. */
export async function closeServedModels(models: Map<string, ServedModel>): Promise<void> {
  for (const m of models.values()) for (const v of m.versions.values()) await v.close();
}
