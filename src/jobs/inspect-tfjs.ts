/**
 * `inspect` of a tfjs LayersModel: each layer, its shape and parameters, and whether the exporter converts it.
 * Imports TensorFlow.js, so inspect.ts loads this file only for a tfjs model.
 */
import { promises as fs, type Stats } from 'node:fs';
import path from 'node:path';
import { UserError } from '../errors.js';
import { initBackend } from '../train/backend.js';
import { loadModelDir, modelJsonPath, MODEL_JSON } from '../train/models/model-io.js';
import type { Dim } from '../export/shape-infer.js';
import { layerSupport } from '../export/support.js';
import type { InspectReport } from './inspect-report.js';

/** Flatten tfjs user metadata ({contract: {...}, training: {...}}) into dotted string keys. */
function flatten(meta: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(meta ?? {})) {
    if (v && typeof v === 'object') {
      for (const [k2, v2] of Object.entries(v as Record<string, unknown>))
        out[k2.includes('.') ? k2 : `${k}.${k2}`] = String(v2);
    } else out[k] = String(v);
  }
  return out;
}

const shapeOf = (s: Array<number | null>): Dim[] => s.map((d) => (d === null ? 'N' : d));

/** Summarise a tfjs LayersModel directory or model.json (like Keras' model.summary()). */
export async function inspectTfjs(dirOrFile: string): Promise<InspectReport> {
  const jsonPath = modelJsonPath(dirOrFile);
  // Loading builds variables only; the small cpu backend avoids starting wasm for a summary.
  await initBackend('cpu');
  const model = await loadModelDir(dirOrFile);
  try {
    const json = JSON.parse(await fs.readFile(jsonPath, 'utf8')) as { weightsManifest: Array<{ paths: string[] }> };
    let fileBytes = (await fs.stat(jsonPath)).size;
    for (const g of json.weightsManifest)
      for (const p of g.paths) fileBytes += (await fs.stat(path.join(path.dirname(jsonPath), p))).size;
    const rows = layerSupport(model).map(({ name, className, layer: l, converts, note }) => ({
      name,
      kind: className,
      outputShape: shapeOf(
        (Array.isArray(l.outputShape[0]) ? l.outputShape[0] : l.outputShape) as Array<number | null>,
      ),
      // A nested model's parameters are its layers', counted on their own rows.
      params: converts === 'nested' ? 0 : l.countParams(),
      converts,
      convertNote: note,
    }));
    return {
      file: jsonPath,
      format: 'tfjs-layers',
      fileBytes,
      inputs: model.inputs.map((t, i) => ({ name: model.inputNames[i], shape: shapeOf(t.shape) })),
      outputs: model.outputs.map((t, i) => ({ name: model.outputNames[i], shape: shapeOf(t.shape) })),
      rows,
      totals: { rows: rows.length, params: rows.reduce((s, r) => s + r.params, 0) },
      metadata: flatten(model.getUserDefinedMetadata() as Record<string, unknown> | undefined),
    };
  } finally {
    model.dispose();
  }
}

/**
 * Summarise `file`, a model directory or `.json` file (`stat` its stat).
 * @throws UserError for a directory without model.json.
 */
export async function inspectTfjsPath(file: string, stat: Stats): Promise<InspectReport> {
  if (stat.isDirectory() && !(await fs.stat(path.join(file, MODEL_JSON)).catch(() => undefined))) {
    throw new UserError(
      `directory '${file}' holds no ${MODEL_JSON}; expected an .onnx file, a model.json or a model directory`,
    );
  }
  return inspectTfjs(file);
}
