import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { OnnxFormatError, readOnnxInfo } from '../../src/onnx/info.js';
// @ts-expect-error plain ESM script without type declarations
import { renderSchemaModule, SCHEMA_MODULE_PATH } from '../../scripts/gen-onnx-schema.mjs';
import { requirePythonOnnx, runPython } from './helpers/system.js';

test('the generated schema module is in sync with proto/onnx.proto', () => {
  const committed = readFileSync(SCHEMA_MODULE_PATH, 'utf8');
  assert.equal(committed, renderSchemaModule(), 'run: node scripts/gen-onnx-schema.mjs');
});

test('readOnnxInfo reads a model written by the official onnx package', (t) => {
  if (!requirePythonOnnx(t)) return;
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'lenet-info-')), 'py.onnx');
  runPython(
    `
import sys, onnx
from onnx import helper, TensorProto
x = helper.make_tensor_value_info('image', TensorProto.FLOAT, ['batch', 1, 28, 28])
y = helper.make_tensor_value_info('scores', TensorProto.FLOAT, ['batch', 784])
w = helper.make_tensor('w', TensorProto.FLOAT, [2], [1.0, 2.0])
g = helper.make_graph([helper.make_node('Flatten', ['image'], ['scores'])], 'g', [x, helper.make_tensor_value_info('w', TensorProto.FLOAT, [2])], [y], [w])
m = helper.make_model(g, opset_imports=[helper.make_opsetid('', 15), helper.make_opsetid('com.example', 1)], producer_name='py-writer', producer_version='9.9', doc_string='hello')
m.ir_version = 7
helper.set_model_props(m, {'contract.ink': 'high', 'k': 'v'})
onnx.save(m, sys.argv[1])
`,
    [file],
  );
  const info = readOnnxInfo(readFileSync(file));
  assert.deepEqual(info, {
    irVersion: 7,
    opsetVersion: 15,
    producerName: 'py-writer',
    producerVersion: '9.9',
    docString: 'hello',
    metadata: { 'contract.ink': 'high', k: 'v' },
    // 'w' is an initializer listed as an input: a constant, not something a caller feeds.
    inputs: [{ name: 'image', elemType: 1, dims: ['batch', 1, 28, 28] }],
    outputs: [{ name: 'scores', elemType: 1, dims: ['batch', 784] }],
    nodeCount: 1,
  });
});

test('readOnnxInfo refuses bytes that are not an ONNX model, in one line', () => {
  const cases: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array()],
    ['json', new TextEncoder().encode('{"modelTopology": {}}')],
    ['png header', new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    // A valid protobuf (field 2 = string) but no graph.
    ['protobuf without graph', new Uint8Array([0x12, 0x01, 0x61])],
  ];
  for (const [what, bytes] of cases) {
    assert.throws(
      () => readOnnxInfo(bytes),
      (err: unknown) => {
        assert.ok(err instanceof OnnxFormatError, `${what}: ${String(err)}`);
        assert.match(err.message, /is not an ONNX model/, what);
        assert.doesNotMatch(err.message, /\n/, what);
        return true;
      },
    );
  }
});
