import * as tf from '@tensorflow/tfjs';
import { createHash } from 'node:crypto';
import { promises as fs, realpathSync, statSync, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../../errors.js';
import { ensureWritableDir } from '../../fs/atomic.js';
import { FileSet } from '../../fs/file-set.js';
import { fileErrorReason, FileReadError, formatBytes, readFileCapped } from '../../fs/bounded-read.js';
import { checkLayerGraph } from './layer-graph.js';
import '../layers/index.js';

/** File name of the topology + manifest inside a model directory. */
export const MODEL_JSON = 'model.json';

/**
 * Save a LayersModel as `model.json` + one weights file in `dir`, with `files` (reports describing the model) as
 * one set (see FileSet): the weights file is named after its content hash, every file is written to a temp file
 * first, and all are renamed into place together, `model.json` last; weights files no longer referenced are
 * removed after. A run stopped before the switch (a failure, SIGINT, SIGTERM) leaves the old set as it was,
 * with no new weights file and no report of a model that was never switched in.
 */
export async function saveModelDir(
  model: tf.LayersModel,
  dir: string,
  o: { files?: Array<[name: string, data: string | Uint8Array]> } = {},
): Promise<{ modelJson: string; weightsFile: string; bytes: number }> {
  await ensureWritableDir(dir);
  let result = { modelJson: '', weightsFile: '', bytes: 0 };
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = new Uint8Array(artifacts.weightData as ArrayBuffer);
      const hash = createHash('sha256').update(weights).digest('hex').slice(0, 12);
      const weightsFile = `weights.${hash}.bin`;
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        userDefinedMetadata: artifacts.userDefinedMetadata,
        weightsManifest: [{ paths: [weightsFile], weights: artifacts.weightSpecs }],
      };
      const set = new FileSet(dir);
      try {
        await set.stage(weightsFile, weights);
        for (const [name, data] of o.files ?? []) await set.stage(name, data);
        await set.stage(MODEL_JSON, JSON.stringify(json));
      } catch (err) {
        set.abort();
        throw err;
      }
      set.commit();
      for (const f of await fs.readdir(dir)) {
        if (/^weights\.[0-9a-f]+\.bin$/.test(f) && f !== weightsFile) await fs.rm(path.join(dir, f), { force: true });
      }
      result = { modelJson: path.join(dir, MODEL_JSON), weightsFile: path.join(dir, weightsFile), bytes: weights.byteLength };
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  return result;
}

/** Resolve a model argument (a directory or its model.json) to the model.json path. */
export function modelJsonPath(dirOrFile: string): string {
  return dirOrFile.endsWith('.json') ? dirOrFile : path.join(dirOrFile, MODEL_JSON);
}

/** Largest model.json read: the topology and manifest of any model this program builds are far smaller. */
export const MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;
/** Largest total of weights a manifest may declare; the reads are capped by what it declares. */
export const MAX_WEIGHTS_BYTES = 256 * 1024 * 1024;

type ManifestGroup = { paths: string[]; weights: tf.io.WeightsManifestEntry[] };

function kindOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO (named pipe)';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

/**
 * Read a file of the model whole, refusing special files (a FIFO may never end, a device never runs dry) and
 * anything over `maxBytes`, which bounds the read even if the file grows meanwhile.
 */
function readModelPart(file: string, maxBytes: number, what: string, fix: string): Uint8Array {
  let st: Stats;
  try {
    st = statSync(file);
  } catch (err) {
    throw new UserError(`${what} '${file}': ${fileErrorReason(err)}; ${fix}`);
  }
  if (!st.isFile()) throw new UserError(`${what} '${file}' is ${kindOf(st)}, not a regular file: refused; ${fix}`);
  if (st.size > maxBytes) throw new UserError(`${what} '${file}' is ${st.size} bytes, over the ${formatBytes(maxBytes)} expected; ${fix}`);
  try {
    return readFileCapped(file, maxBytes, what);
  } catch (err) {
    if (err instanceof FileReadError) throw new UserError(`${what} '${file}': ${err.message.split(';')[0]}; ${fix}`);
    throw err;
  }
}

/**
 * The weights manifest as groups of relative paths and typed entries, each path checked to stay inside the
 * model directory: a model file is often someone else's, and its manifest must not make us read elsewhere.
 */
function checkManifest(manifest: unknown[], jsonPath: string): ManifestGroup[] {
  const bad = (what: string) => new UserError(`model '${jsonPath}': malformed weightsManifest (${what}); re-train or re-export the model`);
  return manifest.map((group) => {
    if (!group || typeof group !== 'object') throw bad('a group is not an object');
    const { paths, weights } = group as { paths?: unknown; weights?: unknown };
    if (!Array.isArray(paths) || !Array.isArray(weights)) throw bad("a group lacks 'paths' or 'weights'");
    for (const p of paths) {
      if (typeof p !== 'string' || p === '' || p.includes('\0')) throw bad('a path is not a file name');
      if (path.isAbsolute(p) || path.win32.isAbsolute(p) || p.split(/[\\/]/).includes('..')) {
        throw new UserError(`model '${jsonPath}': weights path '${p}' leaves the model directory (absolute or '..'): refused; weights files must sit beside model.json`);
      }
    }
    for (const w of weights) {
      const e = w as { name?: unknown; shape?: unknown; dtype?: unknown };
      if (!e || typeof e !== 'object' || typeof e.name !== 'string' || !Array.isArray(e.shape) || typeof e.dtype !== 'string'
        || !e.shape.every((d) => Number.isSafeInteger(d) && (d as number) >= 0)) {
        throw bad('a weight needs a name, a shape of whole numbers and a dtype');
      }
    }
    return { paths: paths as string[], weights: weights as tf.io.WeightsManifestEntry[] };
  });
}

/**
 * Read and validate the artifacts of a saved LayersModel: the JSON parses, has a topology whose layer graph can be
 * built and a weights manifest; every weights file sits inside the model directory (symlinks resolved), is a regular
 * file and is exactly as long as the manifest says, and no more than that is ever read.
 * @throws UserError naming the file and what is wrong.
 */
export async function readModelArtifacts(dirOrFile: string): Promise<tf.io.ModelArtifacts> {
  const jsonPath = modelJsonPath(dirOrFile);
  const retrain = "re-train or re-export the model";
  try {
    await fs.stat(jsonPath);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UserError(`model '${jsonPath}' not found: expected a directory holding model.json and its weights (train one with 'lenet-onnx train')`);
    }
  }
  const text = Buffer.from(readModelPart(jsonPath, MAX_MODEL_JSON_BYTES, 'model', retrain)).toString('utf8');
  let json: { modelTopology?: unknown; weightsManifest?: unknown[]; format?: string; generatedBy?: string; convertedBy?: string; userDefinedMetadata?: Record<string, unknown> };
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new UserError(`model '${jsonPath}' is not valid JSON (${(err as Error).message.split('\n')[0].replace(/[^\x20-\x7e]/g, '?')}); ${retrain}`);
  }
  if (!json || typeof json !== 'object' || !json.modelTopology || !Array.isArray(json.weightsManifest)) {
    throw new UserError(`model '${jsonPath}' is not a tfjs LayersModel: expected 'modelTopology' and 'weightsManifest'`);
  }
  checkLayerGraph(json.modelTopology, jsonPath);
  const groups = checkManifest(json.weightsManifest, jsonPath);
  const dir = path.dirname(jsonPath);
  let realDir: string;
  try {
    realDir = realpathSync(dir);
  } catch (err) {
    throw new UserError(`model directory '${dir}': ${fileErrorReason(err)}`);
  }
  const expectedOf = (g: ManifestGroup) => g.weights.reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1) * bytesPer(w.dtype), 0);
  const declared = groups.reduce((s, g) => s + expectedOf(g), 0);
  if (!(declared <= MAX_WEIGHTS_BYTES)) {
    throw new UserError(`model '${jsonPath}': the weights manifest declares ${declared} bytes, over the ${formatBytes(MAX_WEIGHTS_BYTES)} this program loads; ${retrain}`);
  }
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: Uint8Array[] = [];
  for (const group of groups) {
    const expected = expectedOf(group);
    const groupBytes: Uint8Array[] = [];
    let read = 0;
    for (const p of group.paths) {
      const file = path.join(dir, p);
      let real: string;
      try {
        real = realpathSync(file);
      } catch {
        throw new UserError(`weights file '${file}' named in '${jsonPath}' is missing; re-train the model or restore the file`);
      }
      if (!real.startsWith(realDir + path.sep)) {
        throw new UserError(`weights file '${file}' named in '${jsonPath}' is a symlink leading out of the model directory (to '${real}'): refused; weights files must sit beside model.json`);
      }
      // the manifest's sizes bound the read: a file longer than what is left of its group is refused unread
      const bytes = readModelPart(real, expected - read, 'weights file', `'${jsonPath}' declares ${expected} bytes for it; re-train the model or restore the file`);
      read += bytes.byteLength;
      groupBytes.push(bytes);
    }
    if (read !== expected) {
      throw new UserError(`weights '${group.paths.join(', ')}' of '${jsonPath}': expected ${expected} bytes from the manifest, found ${read}; the file is truncated or from another model`);
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
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
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
    const message = String((err as Error)?.message ?? err);
    // tfjs explains an unknown class over several lines; the class is what the user needs to know
    const unknown = /^Unknown layer: ([^\s.]+)/.exec(message);
    if (unknown) {
      throw new UserError(`model '${modelJsonPath(dirOrFile)}': unknown layer class '${unknown[1]}'; this program builds tfjs' built-in layers and its own (Standardize): re-train or re-export the model`);
    }
    throw new UserError(`model '${modelJsonPath(dirOrFile)}' could not be built: ${message.replace(/\s+/g, ' ').trim().slice(0, 300)}`);
  }
}
