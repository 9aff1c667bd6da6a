import assert from 'node:assert/strict';
import { test } from 'node:test';
import { defaultOnnxPath } from '../../src/jobs/export.js';

test('an export without --out goes beside its model folder, named after it; int8 files never take the float name', () => {
  assert.equal(defaultOnnxPath('models/lenet5'), 'models/lenet5.onnx');
  assert.equal(defaultOnnxPath('models/arithmetic/'), 'models/arithmetic.onnx');
  assert.equal(defaultOnnxPath('models/arithmetic', 'int8'), 'models/arithmetic.int8.onnx');
  assert.equal(defaultOnnxPath('/tmp/quick//'), '/tmp/quick.onnx');
});
