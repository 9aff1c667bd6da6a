import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspectOnnx } from '../../src/jobs/inspect.js';
import { requirePythonOnnx, runPython } from './helpers/system.js';

// The committed files: LeNet-5 (Conv, MaxPool, Gemm) and the classic network (AveragePool, the C3 placement
// MatMul, the RBF read-out's Unsqueeze / Sub with broadcasting / ReduceSum).
const FILES = ['models/lenet5.onnx', 'models/classic.onnx'];

test("inspect infers every node's output shape of both committed models", async () => {
  for (const file of FILES) {
    const r = await inspectOnnx(file);
    const unknown = r.rows.filter((row) => row.outputShape.some((d) => d === '?'));
    assert.deepEqual(
      unknown.map((row) => `${row.name} ${JSON.stringify(row.outputShape)}`),
      [],
      `${file}: shapes left unknown`,
    );
    const batch = r.inputs[0].shape[0];
    assert.deepEqual(r.rows.at(-1)!.outputShape, [batch, 10], file);
  }
});

test("inspect's shapes are the ones the official ONNX shape inference gives", async (t) => {
  if (!requirePythonOnnx(t)) return;
  for (const file of FILES) {
    const official = JSON.parse(
      runPython(
        [
          'import sys, json, onnx',
          'm = onnx.shape_inference.infer_shapes(onnx.load(sys.argv[1]), strict_mode=True)',
          'known = {v.name: v for v in list(m.graph.value_info) + list(m.graph.output)}',
          'def dims(v): return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]',
          'print(json.dumps({n.name: dims(known[n.output[0]]) for n in m.graph.node}))',
        ].join('\n'),
        [file],
      ),
    ) as Record<string, Array<number | string>>;
    const ours = Object.fromEntries((await inspectOnnx(file)).rows.map((row) => [row.name, row.outputShape]));
    assert.deepEqual(ours, official, file);
  }
});
