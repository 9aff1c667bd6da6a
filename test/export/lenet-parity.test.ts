import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import type { SymbolicTensor } from '@tensorflow/tfjs';
import { decodeModel, encodeModel } from '../../src/onnx/encode.js';
import { buildReferenceLenet, referenceInput } from '../../src/export/reference-lenet.js';
import { contractFromMetadata } from '../../src/runtime/contract.js';
import { readOnnxInfo } from '../../src/onnx/info.js';
import { head } from '../../src/train/data/dataset.js';
import { readMnist } from '../../src/data/idx.js';
import { loadModelDir, saveModelDir } from '../../src/train/models/model-io.js';
import { compareFloats } from '../helpers/close.js';
import { runCli } from '../helpers/cli.js';
import { lenetFixture } from './helpers/lenet-fixture.js';
import { checkOnnxFiles, requirePythonOnnx } from './helpers/system.js';

let modelDir: string;
let onnxFile: string;
let exportRun: Awaited<ReturnType<typeof runCli>>;
const tmp = mkdtempSync(path.join(tmpdir(), 'lenet-parity-'));

before(async () => {
  modelDir = await lenetFixture();
  onnxFile = path.join(tmp, 'lenet5.onnx');
  exportRun = await runCli('export', modelDir, '--out', onnxFile);
});

test('export verifies on the 10,000 test images: max |diff| <= 1e-5, argmax agreement 100%', () => {
  assert.equal(exportRun.code, 0, exportRun.stderr);
  const m =
    /parity on 10000 images: max \|diff\| (\S+) \(image (\d+), output (\d+); atol 0\.00001\), argmax agreement 10000\/10000 \(100\.00%\): PASS/.exec(
      exportRun.stdout,
    );
  assert.ok(m, exportRun.stdout);
  assert.ok(Number(m[1]) <= 1e-5);
});

test('the file has the documented interface, contract and provenance', async () => {
  const info = readOnnxInfo(readFileSync(onnxFile));
  assert.equal(info.irVersion, 8);
  assert.equal(info.opsetVersion, 13);
  assert.equal(info.producerName, 'lenet-onnx');
  assert.deepEqual(info.inputs, [{ name: 'image', elemType: 1, dims: ['N', 1, 28, 28] }]);
  assert.deepEqual(info.outputs, [{ name: 'probabilities', elemType: 1, dims: ['N', 10] }]);
  const tfjs = await loadModelDir(modelDir);
  const meta = tfjs.getUserDefinedMetadata() as { contract: Record<string, string>; training: Record<string, unknown> };
  tfjs.dispose();
  // The ONNX contract is the tfjs one with only the layout restated.
  assert.deepEqual(contractFromMetadata(info.metadata), { ...contractFromMetadata(meta.contract), layout: 'NCHW' });
  assert.equal(info.metadata['contract.input_shape'], 'N,1,28,28');
  assert.equal(info.metadata['training.test_accuracy'], String(meta.training.testAccuracy));
  assert.equal(info.metadata['training.data'], meta.training.data);
  assert.equal(info.metadata['training.date'], meta.training.date);
  assert.match(info.docString, /float32 \[N, 1, 28, 28\]/);
});

test('the graph is PyTorch-lean: the contract folded into the first Conv, 13 nodes, no Transpose', () => {
  const ops = decodeModel(readFileSync(onnxFile)).graph.node.map((n) => n.opType);
  assert.deepEqual(ops, [
    'Conv',
    'Relu',
    'MaxPool',
    'Conv',
    'Relu',
    'MaxPool',
    'Flatten',
    'Gemm',
    'Relu',
    'Gemm',
    'Relu',
    'Gemm',
    'Softmax',
  ]);
  assert.equal(readOnnxInfo(readFileSync(onnxFile)).metadata['export.contract_folded'], 'true');
});

test('computes what the hand-built reference graph computes, and is no larger apart from its metadata', async () => {
  const tfjs = await loadModelDir(modelDir);
  const reference = encodeModel(buildReferenceLenet(tfjs));
  tfjs.dispose();
  const ours = readFileSync(onnxFile);
  const n = 200;
  const images = head(await readMnist('test'), n).x;
  const a = await ort.InferenceSession.create(ours);
  const b = await ort.InferenceSession.create(reference);
  const pa = (await a.run({ image: new ort.Tensor('float32', images, [n, 1, 28, 28]) })).probabilities
    .data as Float32Array;
  const pb = (
    await b.run({ input: new ort.Tensor('float32', referenceInput(images, n, 0.1307, 0.3081), [n, 1, 32, 32]) })
  ).output.data as Float32Array;
  await a.release();
  await b.release();
  const c = compareFloats(pa, pb, 1e-5, 1e-5);
  assert.ok(c.ok, `max |diff| ${c.maxAbs} at ${c.worstIndex}`);
  const bare = decodeModel(ours);
  const graphOnly = encodeModel({ ...bare, metadataProps: [], docString: '' }).byteLength;
  // Even with the contract's Pad/Sub/Div and their constants, the graph is no larger than the reference.
  assert.ok(
    graphOnly <= reference.byteLength,
    `ours without metadata ${graphOnly} bytes, reference ${reference.byteLength}`,
  );
});

test('export is deterministic, verify accepts the file, inspect --json summarises it', async () => {
  const again = path.join(tmp, 'again.onnx');
  const r = await runCli('export', modelDir, '--out', again, '--verify-samples', '200');
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(readFileSync(again), readFileSync(onnxFile));
  const v = await runCli('verify', onnxFile, '--against', modelDir, '--samples', '500');
  assert.equal(v.code, 0, v.stderr);
  assert.match(v.stdout, /argmax agreement 500\/500/);
  const i = await runCli('inspect', onnxFile, '--json');
  assert.equal(i.code, 0, i.stderr);
  const report = JSON.parse(i.stdout);
  assert.equal(report.totals.rows, 13);
  assert.equal(report.totals.params, 61706);
  assert.deepEqual(report.rows.find((row: { kind: string }) => row.kind === 'Flatten').outputShape, ['N', 400]);
  const t = await runCli('inspect', modelDir, '--json');
  assert.equal(t.code, 0, t.stderr);
  assert.equal(JSON.parse(t.stdout).totals.params, 61706);
});

test('opset 17 export passes parity too', async () => {
  const file = path.join(tmp, 'opset17.onnx');
  const r = await runCli('export', modelDir, '--out', file, '--opset', '17', '--verify-samples', '1000');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readOnnxInfo(readFileSync(file)).opsetVersion, 17);
});

test('--no-fold-contract keeps the contract as Pad, Sub, Div (16 nodes) and still passes parity', async () => {
  const file = path.join(tmp, 'folded.onnx');
  const r = await runCli('export', modelDir, '--out', file, '--no-fold-contract', '--verify-samples', '2000');
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /argmax agreement 2000\/2000/);
  const unfolded = decodeModel(readFileSync(file));
  assert.deepEqual(
    unfolded.graph.node.map((n) => n.opType),
    [
      'Pad',
      'Sub',
      'Div',
      'Conv',
      'Relu',
      'MaxPool',
      'Conv',
      'Relu',
      'MaxPool',
      'Flatten',
      'Gemm',
      'Relu',
      'Gemm',
      'Relu',
      'Gemm',
      'Softmax',
    ],
  );
  const info = readOnnxInfo(readFileSync(file));
  assert.equal(info.metadata['export.contract_folded'], undefined);
  assert.equal(contractFromMetadata(info.metadata).layout, 'NCHW');
});

test('--fold-contract is refused for a model without the contract layers', async () => {
  const dir = path.join(tmp, 'plain');
  const tfjs = await import('@tensorflow/tfjs');
  const input = tfjs.input({ shape: [28, 28, 1] });
  const flat = tfjs.layers.flatten().apply(input) as SymbolicTensor;
  await saveModelDir(
    tfjs.model({
      inputs: input,
      outputs: tfjs.layers.dense({ units: 10, activation: 'softmax' }).apply(flat) as SymbolicTensor,
    }),
    dir,
  );
  const r = await runCli('export', dir, '--out', path.join(tmp, 'plain.onnx'), '--fold-contract');
  assert.equal(r.code, 1);
  assert.match(r.stderr, /--fold-contract: model '.*' does not start with ZeroPadding2D -> Standardize -> Conv2D/);
});

test('the official checker accepts the exported files', (t) => {
  if (!requirePythonOnnx(t)) return;
  checkOnnxFiles([
    onnxFile,
    path.join(tmp, 'again.onnx'),
    path.join(tmp, 'opset17.onnx'),
    path.join(tmp, 'folded.onnx'),
  ]);
});
