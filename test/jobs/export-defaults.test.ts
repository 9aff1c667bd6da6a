import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { defaultOnnxPath, EXPORT_DEFAULTS, exportModelDir } from '../../src/jobs/export.js';
import { readOnnxInfo } from '../../src/onnx/info.js';

test('an export without --out goes beside its model folder, named after it; int8 files never take the float name', () => {
  assert.equal(defaultOnnxPath('models/lenet5'), 'models/lenet5.onnx');
  assert.equal(defaultOnnxPath('models/arithmetic/'), 'models/arithmetic.onnx');
  assert.equal(defaultOnnxPath('models/arithmetic', 'int8'), 'models/arithmetic.int8.onnx');
  assert.equal(defaultOnnxPath('/tmp/quick//'), '/tmp/quick.onnx');
});

test('the export defaults spread into a call, as the main job does, export a digit-contract model', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-export-defaults-'));
  const out = path.join(dir, 'lenet5.onnx');
  await exportModelDir({ ...EXPORT_DEFAULTS, modelDir: 'models/lenet5', out, verify: false }, () => {});
  const info = readOnnxInfo(new Uint8Array(readFileSync(out)));
  assert.deepEqual(info.inputs[0].dims.slice(1), [1, 28, 28], 'the digit contract keeps its NCHW input');
});
