import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { inspectOnnx } from '../../src/jobs/inspect.js';
import { inspectTfjs } from '../../src/jobs/inspect-tfjs.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { layersModelToOnnx } from '../../src/export/to-onnx.js';
import { checkParity } from '../../src/export/verify.js';
import { initBackend } from '../../src/train/backend.js';
import { head, splitTrainValidation } from '../../src/train/data/dataset.js';
import { readMnist } from '../../src/data/idx.js';
import { EuclideanRbf } from '../../src/train/layers/euclidean-rbf.js';
import { MaskedConv2D } from '../../src/train/layers/masked-conv2d.js';
import { ScaledTanh } from '../../src/train/layers/scaled-tanh.js';
import { Softmin } from '../../src/train/layers/softmin.js';
import { Subsampling } from '../../src/train/layers/subsampling.js';
import { loadModelDir, saveModelDir } from '../../src/train/models/model-io.js';
import { buildClassic, C3_CONNECTIONS, CLASSIC_PAPER_PARAMETERS } from '../../src/train/models/classic.js';
import { trainModel } from '../../src/train/train.js';
import {
  exportAndCompare,
  expectEquivalent as expectEquivalentWith,
  ops,
  randomizeWeights,
  written,
  type LayerFactory,
} from './helpers/equivalence.js';

// This file's weights are drawn from seed 3.
const expectEquivalent = (name: string, shape: number[], layers: LayerFactory[], batch = 3) =>
  expectEquivalentWith(name, shape, layers, batch, 3);
import { checkOnnxFiles, requirePythonOnnx } from './helpers/system.js';

const table = () => C3_CONNECTIONS.map((c) => [...c]);
// Three 12-pixel targets for an RBF fed by a flattened 2x2x3 map.
const SMALL_BITMAPS = [
  ['##..##', '.#.#.#'],
  ['......', '######'],
  ['#.#.#.', '##..##'],
];

before(async () => {
  await initBackend('wasm');
});

describe('classic LeNet-5 layer converters (tfjs vs onnxruntime-node on random inputs)', () => {
  test('ScaledTanh on an image and on a flat vector', async () => {
    const r = await expectEquivalent('scaled-tanh-image', [5, 4, 3], [() => new ScaledTanh()]);
    assert.deepEqual(ops(r), ['Mul', 'Tanh', 'Mul']);
    await expectEquivalent('scaled-tanh-flat', [7], [() => new ScaledTanh({ amplitude: 2, slope: 0.5 })]);
  });

  for (const [h, w, c, p] of [
    [8, 8, 6, 2],
    [7, 9, 2, 2],
    [9, 6, 3, 3],
  ]) {
    test(`Subsampling ${p}x${p} on [${h}, ${w}, ${c}]`, async () => {
      const r = await expectEquivalent(
        `subsampling-${h}x${w}x${c}-p${p}`,
        [h, w, c],
        [() => new Subsampling({ poolSize: p })],
      );
      assert.deepEqual(ops(r), ['AveragePool', 'Mul', 'Add']);
    });
  }

  test('MaskedConv2D with the C3 table, and with a small custom table', async () => {
    const r = await expectEquivalent(
      'masked-conv-c3',
      [14, 14, 6],
      [() => new MaskedConv2D({ connections: table(), inputMaps: 6, kernelSize: 5 })],
    );
    assert.deepEqual(ops(r), ['Cast', 'MatMul', 'Reshape', 'Conv']);
    // Only the 60 connections' kernels are stored as floats; the placement is a 0/1 UINT8 constant.
    const floats = r.proto.graph.initializer.filter((t) => t.dataType === 1);
    assert.deepEqual(
      floats.map((t) => t.dims.map(Number)),
      [[60, 25], [16]],
    );
    await expectEquivalent(
      'masked-conv-small',
      [6, 7, 3],
      [() => new MaskedConv2D({ connections: [[0], [1, 2], [2, 0, 1]], inputMaps: 3, kernelSize: 3 })],
    );
  });

  test('EuclideanRbf + Softmin after a Dense, and after a Flatten of a multi-channel map', async () => {
    const r = await expectEquivalent(
      'rbf-dense',
      [20],
      [
        () => tf.layers.dense({ units: 84 }),
        () => new ScaledTanh(),
        () => new EuclideanRbf(),
        () => new Softmin({ scale: 0.1 }),
      ],
      5,
    );
    assert.deepEqual(ops(r), [
      'Gemm',
      'Mul',
      'Tanh',
      'Mul',
      'Unsqueeze',
      'Cast',
      'Sub',
      'Mul',
      'ReduceSum',
      'Mul',
      'Softmax',
    ]);
    await expectEquivalent('rbf-distances', [84], [() => new EuclideanRbf()], 4);
    // The flattened NHWC features reach the RBF in NCHW order; the centres must be permuted to match.
    await expectEquivalent(
      'rbf-after-flatten',
      [2, 2, 3],
      [() => tf.layers.flatten(), () => new EuclideanRbf({ bitmaps: SMALL_BITMAPS })],
      4,
    );
  });
});

describe('the whole classic LeNet-5', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-classic-export-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  test('random weights: distances agree to rtol 1e-5 (no Transpose anywhere)', async () => {
    // Weights uniform in [-1, 1] saturate every squashing, so distances reach the hundreds, where one
    // float32 ulp is ~3e-5; they are compared relatively. Probabilities are checked on the model as built.
    const model = buildClassic({ seed: 5 });
    randomizeWeights(model, 11);
    const distances = tf.model({ inputs: model.inputs, outputs: model.getLayer('rbf').output as tf.SymbolicTensor });
    const r = await exportAndCompare(distances, 'classic-random-distances', 4, 7, {}, 1e-4, 1e-5);
    assert.ok(
      r.comparison.ok,
      `max |diff| ${r.comparison.maxAbs} (rel ${r.comparison.maxRel}) at ${r.comparison.worstIndex}`,
    );
    assert.ok(!ops(r).includes('Transpose'));
    model.dispose();
  });

  test('as built (seeded initialisation): probabilities agree to 1e-5, the expected op sequence, inspect counts 60,000', async () => {
    const model = buildClassic({ seed: 5 });
    const r = await exportAndCompare(model, 'classic-initial', 6);
    assert.ok(r.comparison.ok, `max |diff| ${r.comparison.maxAbs} at ${r.comparison.worstIndex}`);
    // The contract (pad, standardise) is folded into C1.
    assert.deepEqual(ops(r), [
      'Conv',
      'Mul',
      'Tanh',
      'Mul',
      'AveragePool',
      'Mul',
      'Add',
      'Mul',
      'Tanh',
      'Mul',
      'Cast',
      'MatMul',
      'Reshape',
      'Conv',
      'Mul',
      'Tanh',
      'Mul',
      'AveragePool',
      'Mul',
      'Add',
      'Mul',
      'Tanh',
      'Mul',
      'Conv',
      'Mul',
      'Tanh',
      'Mul',
      'Flatten',
      'Gemm',
      'Mul',
      'Tanh',
      'Mul',
      'Unsqueeze',
      'Cast',
      'Sub',
      'Mul',
      'ReduceSum',
      'Mul',
      'Softmax',
    ]);
    assert.equal(r.proto.graph.output[0].name, 'probabilities');
    // inspect counts the float initializers: exactly the paper's parameters (no masked zeros, no bitmaps).
    const report = await inspectOnnx(r.file);
    assert.equal(report.totals.params, 60_000);
    const byNode = Object.fromEntries(report.rows.filter((row) => row.params > 0).map((row) => [row.name, row.params]));
    assert.deepEqual(byNode, {
      'c1/Conv': 156,
      's2/Mul': 6,
      's2/Add': 6,
      'c3/MatMul': 1500,
      'c3/Conv': 16,
      's4/Mul': 16,
      's4/Add': 16,
      'c5/Conv': 48120,
      'f6/Gemm': 10164,
    });
    model.dispose();
  });

  test('briefly trained, saved and reloaded: parity <= 1e-5 and full argmax agreement on 2,000 MNIST test images', async () => {
    const trainFile = await readMnist('train');
    const { train, validation } = splitTrainValidation(trainFile, 200, 42, 1500);
    const trained = buildClassic({ seed: 42 });
    await trainModel(trained, train, validation, { epochs: 1, batchSize: 64, learningRate: 0.001, seed: 42 });
    await saveModelDir(trained, dir);
    trained.dispose();
    const model = await loadModelDir(dir);
    const bytes = encodeModel(layersModelToOnnx(model));
    const test2k = head(await readMnist('test'), 2000);
    const report = await checkParity(
      model,
      bytes,
      { data: test2k.x, count: test2k.count, sampleShape: [28, 28, 1] },
      1e-5,
    );
    assert.ok(
      report.ok,
      `max |diff| ${report.maxAbsDiff} at image ${report.worstSample} output ${report.worstOutput}, argmax agreement ${report.argmaxAgree}/${report.samples}`,
    );
    model.dispose();
    // inspect on model.json: the paper's count per layer (this switches to the cpu backend, so it runs last).
    const summary = await inspectTfjs(dir);
    const perLayer = Object.fromEntries(
      summary.rows.filter((row) => row.params > 0).map((row) => [row.name, row.params]),
    );
    assert.deepEqual(perLayer, CLASSIC_PAPER_PARAMETERS);
    assert.equal(summary.totals.params, 60_000);
  });
});

test('the official ONNX checker (full_check) passes on every file this test wrote', (t) => {
  if (!requirePythonOnnx(t)) return;
  assert.ok(written.length >= 10, `expected the files of the tests above, got ${written.length}`);
  checkOnnxFiles(written);
});
