import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { initBackend } from '../../src/train/backend.js';
import { saveModelDir } from '../../src/train/models/model-io.js';
import { EXPORT_DEFAULTS, exportModelDir } from '../../src/jobs/export.js';
import { decodeModel } from '../../src/onnx/encode.js';
import { checkOnnxFiles, hasPythonOnnx } from './helpers/system.js';
import { uNetLike } from './helpers/zoo.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lenet-file-size-'));

before(async () => {
  await initBackend('wasm');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a small U-Net (no BatchNormalization to fold) exports to at most 2% over its raw float32 weights', async () => {
  const model = uNetLike(32, 11);
  const params = model.countParams();
  const layerNames = model.layers.map((l) => l.name);
  const modelDir = path.join(dir, 'unet');
  const { bytes: weightBytes } = await saveModelDir(model, modelDir);
  model.dispose();
  assert.equal(weightBytes, params * 4, 'tfjs saves the raw float32 weights');
  const out = path.join(dir, 'unet.onnx');
  const r = await exportModelDir({ ...EXPORT_DEFAULTS, modelDir, out, verify: false }, () => {});
  const bytes = readFileSync(out);
  assert.equal(r.bytes, bytes.length);
  assert.ok(
    bytes.length <= weightBytes * 1.02,
    `${bytes.length} bytes for ${weightBytes} bytes of weights (${((bytes.length / weightBytes) * 100).toFixed(2)}%)`,
  );
  if (hasPythonOnnx()) checkOnnxFiles([out]);
  // The cut costs no readability: every node still names the tfjs layer it comes from.
  const proto = decodeModel(bytes);
  const output = proto.graph.output[0].name;
  for (const node of proto.graph.node) {
    assert.ok(
      node.name === output || layerNames.some((l) => node.name.startsWith(`${l}/`)),
      `node '${node.name}' (${node.opType}) names no layer of the model`,
    );
  }
});
