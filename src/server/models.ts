/**
 * The models a server answers for, each under its file's stem (`models/classic.onnx` is `classic`), each with
 * its own contract, session and batcher.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import type { ContractModel } from '../runtime/model.js';
import { loadDigitModel, type DigitModel } from '../runtime/node/session.js';
import { DynamicBatcher } from './batcher.js';
import type { InferSpec } from './infer-request.js';
import { modelMetadata, type ModelMetadata } from './model-metadata.js';

/** How requests reach a session: through a dynamic batcher, or one run each. */
export interface BatchingOptions {
  /** Off: every request is its own onnxruntime run. */
  enabled: boolean;
  maxBatch: number;
  delayMs: number;
}

/**
 * One model as the server holds it: the shared model interface, whose `run` goes through the batcher when
 * batching is on (and drops a queued run whose signal aborts), beside the session and what the routes need.
 */
export interface ServedModel extends ContractModel {
  name: string;
  file: string;
  model: DigitModel;
  metadata: ModelMetadata;
  /** Values per input row (channels * height * width) and per output row (labels). */
  inputSize: number;
  outputSize: number;
  /** What an inference request is checked against. */
  spec: InferSpec;
  batcher?: DynamicBatcher;
}

/** The name a file is served under. */
export function modelName(file: string): string {
  return path.parse(file).name;
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
 * Load every file (contract checked against the graph by loadDigitModel) and give each its batcher.
 * @throws UserError when two files share a stem or a file is not a usable model.
 */
export async function loadServedModels(files: string[], batching: BatchingOptions): Promise<Map<string, ServedModel>> {
  const byName = new Map<string, ServedModel>();
  try {
    for (const file of files) {
      const name = modelName(file);
      const twin = byName.get(name);
      if (twin)
        throw new UserError(`models '${twin.file}' and '${file}' would both be served as '${name}'; rename one`);
      byName.set(name, await serve(name, file, batching));
    }
  } catch (err) {
    await closeServedModels(byName);
    throw err;
  }
  return byName;
}

async function serve(name: string, file: string, batching: BatchingOptions): Promise<ServedModel> {
  const model = await loadDigitModel(file);
  const c = model.contract;
  const inputSize = c.channels * c.height * c.width;
  const outputSize = c.labels.length;
  const run = (input: Float32Array, n: number) => model.run(input, n);
  const batcher = batching.enabled
    ? new DynamicBatcher(run, { maxBatch: batching.maxBatch, delayMs: batching.delayMs, inputSize, outputSize })
    : undefined;
  const metadata = modelMetadata(name, model.info, c);
  return {
    name,
    file,
    source: file,
    contract: c,
    model,
    metadata,
    inputSize,
    outputSize,
    // only the contract's output is computed by a run, whatever else the graph may declare
    spec: { inputs: metadata.inputs, inputSize, outputSize, outputs: [c.outputName] },
    batcher,
    run: batcher
      ? (input, n, signal) => batcher.submit(input, n, signal)
      : // the session may keep a view of its output; a copy belongs to the caller
        async (input, n) => (await run(input, n)).slice(),
  };
}

/** Release every session. */
export async function closeServedModels(models: Map<string, ServedModel>): Promise<void> {
  for (const m of models.values()) {
    m.batcher?.close();
    await m.model.close();
  }
}
