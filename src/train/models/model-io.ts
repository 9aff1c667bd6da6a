import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { ensureWritableDir, writeFileAtomic } from '../../fs/atomic.js';
import '../layers/index.js';

/** File name of the topology + manifest inside a model directory. */
export const MODEL_JSON = 'model.json';

/**
 * Save a LayersModel as `model.json` + one weights file in `dir`, atomically: the weights go to a new file
 * named after their content hash, then `model.json` is renamed into place (the switch), then weight files
 * no longer referenced are removed. A run interrupted at any point leaves a loadable model.
 */
export async function saveModelDir(model: tf.LayersModel, dir: string): Promise<{ modelJson: string; weightsFile: string; bytes: number }> {
  await ensureWritableDir(dir);
  let result = { modelJson: '', weightsFile: '', bytes: 0 };
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
    const hash = createHash('sha256').update(weights).digest('hex').slice(0, 12);
    const weightsFile = `weights.${hash}.bin`;
    await writeFileAtomic(path.join(dir, weightsFile), weights);
    const json = {
      format: artifacts.format,
      generatedBy: artifacts.generatedBy,
      convertedBy: artifacts.convertedBy ?? null,
      modelTopology: artifacts.modelTopology,
      userDefinedMetadata: artifacts.userDefinedMetadata,
      weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
    };
    const modelJson = path.join(dir, MODEL_JSON);
    await writeFileAtomic(modelJson, JSON.stringify(json));
    for (const f of await fs.readdir(dir)) {
      if (/^weights\.[0-9a-f]+\.bin$/.test(f) && f !== weightsFile) await fs.rm(path.join(dir, f), { force: true });
    }
    result = { modelJson, weightsFile: path.join(dir, weightsFile), bytes: weights.byteLength };
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
  }));
  return result;
}

/** Resolve a model argument (a directory or its model.json) to the model.json path. */
export function modelJsonPath(dirOrFile: string): string {
  return dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, MODEL_JSON);
}

/**
 * Read and validate the artifacts of a saved LayersModel: the JSON parses, has a topology and a weights
 * manifest, every weights file exists and is exactly as long as the manifest says.
 * @throws UserError naming the file and what is wrong.
 */
export async function readModelArtifacts(dirOrFile: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = modelJsonPath(dirOrFile);
  let text: string;
  try {
    text = await fs.readFile(jsonPath, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UserError(code === 'ENOENT'
      ? `model '${jsonPath}' not found: expected a directory holding model.json and its weights (train one with 'lenet-onnx train')`
      : `cannot read model '${jsonPath}': ${(err as Error).message}`);
  }
  let json: { modelTopology?: unknown; weightsManifest?: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>; format?: string; generatedBy?: string; convertedBy?: string; userDefinedMetadata?: Record<string, unknown> };
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`model '${jsonPath}' is not valid JSON (${(err as Error).message}); re-train or re-export the model`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new UserError(`model '${jsonPath}' is not a tfjs LayersModel: expected 'modelTopology' and 'weightsManifest'`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of json.weightsManifest) {
    const groupBytes: Uint8Array[] = [];
    for (const p of group.paths) {
      const file = path.join(path.dirname(jsonPath), p);
      try {
        groupBytes.push(new Uint8Array(await fs.readFile(file)));
      } catch {
        throw new UserError(`weights file '${file}' named in '${jsonPath}' is missing; re-train the model or restore the file`);
      }
    }
    const expected = group.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * bytesPer(w.dtype), 0);
    const actual = groupBytes.reduce((s, b) => s + b.byteLength, 0);
    if (actual !== expected) {
      throw new UserError(`weights '${group.paths.join(', ')}' of '${jsonPath}': expected ${expected} bytes from the manifest, found ${actual}; the file is truncated or from another model`);
    }
    specs.push(...group.weights);
    buffers.push(...groupBytes);
  }
  const total = buffers.reduce((s, b) => s + b.byteLength, 0);
  const all = new Uint8Array(total);
  let off = 0;
  for (const b of buffers) { all.set(b, off); off += b.byteLength; }
  return {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: all.buffer,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, {}> | undefined,
  };
}

function bytesPer(dtype: string): number {
  if (dtype === 'float32' || dtype === 'int32') return 4;
  if (dtype === 'bool') return 1;
  throw new UserError(`unsupported weight dtype '${dtype}' in the manifest; expected float32 or int32`);
}

/**
 * Load a saved LayersModel from its directory (or model.json path) with our own file IO.
 * @throws UserError when the files are missing, malformed or the topology does not build.
 */
export async function loadModelDir(dirOrFile: string): Promise<tf.LayersModel> {
  const artifacts = await readModelArtifacts(dirOrFile);
  try {
    return await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (err) {
    throw new UserError(`model '${modelJsonPath(dirOrFile)}' could not be built: ${(err as Error).message}`);
  }
}
