import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { supportedLayers } from '../../src/export/layers/index.js';
import { layersModelToOnnx, OPSET_MAX, OPSET_MIN } from '../../src/export/to-onnx.js';
import { UserError } from '../../src/errors.js';
import { Standardize } from '../../src/train/layers/standardize.js';
import { initBackend } from '../../src/train/backend.js';
import { buildLayers, exportAndCompare, expectEquivalent, ops, written } from './helpers/equivalence.js';
import { checkOnnxFiles, hasPythonOnnx, requirePythonOnnx } from './helpers/system.js';

before(async () => {
  await initBackend('wasm');
});

after(() => {
  // The official checker (full_check) on every file the tests wrote.
  if (written.length && hasPythonOnnx()) checkOnnxFiles(written);
});

describe('Conv2D', () => {
  test('valid padding, no bias, 2 input channels', async () => {
    const r = await expectEquivalent(
      'conv-valid-nobias',
      [9, 9, 2],
      [() => tf.layers.conv2d({ filters: 3, kernelSize: 3, useBias: false })],
    );
    assert.deepEqual(ops(r), ['Conv']);
    assert.equal(r.proto.graph.node[0].input.length, 2);
  });
  test('same padding, stride 2, odd sizes (asymmetric pads), relu', async () => {
    const r = await expectEquivalent(
      'conv-same-s2',
      [8, 7, 3],
      [() => tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' })],
    );
    assert.deepEqual(ops(r), ['Conv', 'Relu']);
  });
  test('same padding, even kernel, rectangular kernel and strides, tanh', async () => {
    await expectEquivalent(
      'conv-same-even',
      [10, 9, 1],
      [
        () =>
          tf.layers.conv2d({ filters: 2, kernelSize: [4, 2], strides: [1, 2], padding: 'same', activation: 'tanh' }),
      ],
    );
  });
  test('dilation 2, sigmoid', async () => {
    await expectEquivalent(
      'conv-dilated',
      [9, 8, 2],
      [() => tf.layers.conv2d({ filters: 2, kernelSize: 3, dilationRate: 2, activation: 'sigmoid' })],
    );
  });
});

describe('pooling', () => {
  test('MaxPooling2D valid 2x2', async () => {
    const r = await expectEquivalent('maxpool-valid', [6, 6, 3], [() => tf.layers.maxPooling2d({ poolSize: 2 })]);
    assert.deepEqual(ops(r), ['MaxPool']);
  });
  test('MaxPooling2D same 3x3 stride 2 on odd sizes', async () => {
    await expectEquivalent(
      'maxpool-same',
      [7, 5, 2],
      [() => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' })],
    );
  });
  test('AveragePooling2D valid and same', async () => {
    await expectEquivalent('avgpool-valid', [6, 6, 2], [() => tf.layers.averagePooling2d({ poolSize: 2 })]);
    await expectEquivalent(
      'avgpool-same',
      [5, 7, 3],
      [() => tf.layers.averagePooling2d({ poolSize: 2, strides: 2, padding: 'same' })],
    );
  });
});

describe('Dense, Flatten, Reshape', () => {
  for (const activation of [
    'linear',
    'relu',
    'tanh',
    'sigmoid',
    'softmax',
    'elu',
    'selu',
    'softplus',
    'softsign',
    'hardSigmoid',
  ] as const) {
    test(`Dense with ${activation}`, async () => {
      await expectEquivalent(`dense-${activation}`, [5], [() => tf.layers.dense({ units: 4, activation })], 4);
    });
  }
  test('Dense without bias on 7 features', async () => {
    const r = await expectEquivalent('dense-nobias', [7], [() => tf.layers.dense({ units: 3, useBias: false })]);
    assert.equal(r.proto.graph.node[0].input.length, 2);
  });
  test('Flatten of a multi-channel map then Dense: rows permuted, no Transpose', async () => {
    const r = await expectEquivalent(
      'flatten-dense',
      [6, 5, 3],
      [
        () => tf.layers.conv2d({ filters: 4, kernelSize: 2 }),
        () => tf.layers.flatten(),
        () => tf.layers.dense({ units: 5, activation: 'softmax' }),
      ],
    );
    assert.deepEqual(ops(r), ['Conv', 'Flatten', 'Gemm', 'Softmax']);
  });
  test('Flatten of a 1-channel map and of a rank-3 value', async () => {
    await expectEquivalent('flatten-1ch', [4, 6, 1], [() => tf.layers.flatten(), () => tf.layers.dense({ units: 2 })]);
    await expectEquivalent('flatten-rank3', [2, 3], [() => tf.layers.flatten(), () => tf.layers.dense({ units: 2 })]);
  });
  test('Reshape vector -> multi-channel image -> conv', async () => {
    await expectEquivalent(
      'reshape-to-image',
      [24],
      [() => tf.layers.reshape({ targetShape: [2, 4, 3] }), () => tf.layers.conv2d({ filters: 2, kernelSize: 2 })],
    );
  });
  test('Reshape vector -> 1-channel image (no Transpose)', async () => {
    const r = await expectEquivalent(
      'reshape-to-1ch',
      [12],
      [() => tf.layers.reshape({ targetShape: [3, 4, 1] }), () => tf.layers.conv2d({ filters: 2, kernelSize: 2 })],
    );
    assert.ok(!ops(r).includes('Transpose'));
  });
  test('Reshape of a multi-channel image and of a flattened one back to a vector', async () => {
    await expectEquivalent(
      'reshape-image-to-vec',
      [3, 4, 2],
      [
        () => tf.layers.conv2d({ filters: 3, kernelSize: 2 }),
        () => tf.layers.reshape({ targetShape: [18] }),
        () => tf.layers.dense({ units: 2 }),
      ],
    );
    await expectEquivalent(
      'reshape-flat-to-vec',
      [3, 4, 2],
      [() => tf.layers.flatten(), () => tf.layers.reshape({ targetShape: [6, 4] })],
    );
  });
});

describe('Activation, Dropout, ZeroPadding2D, BatchNormalization, Standardize', () => {
  for (const activation of ['relu', 'tanh', 'sigmoid', 'softmax', 'linear'] as const) {
    test(`Activation ${activation} on an image (softmax over channels)`, async () => {
      await expectEquivalent(
        `activation-${activation}`,
        [3, 4, 5],
        [() => tf.layers.conv2d({ filters: 3, kernelSize: 1 }), () => tf.layers.activation({ activation })],
      );
    });
  }
  test('ReLU layer with and without maxValue', async () => {
    await expectEquivalent('relu-layer', [6], [() => tf.layers.reLU()]);
    await expectEquivalent(
      'relu6-layer',
      [6],
      [() => tf.layers.dense({ units: 5 }), () => tf.layers.reLU({ maxValue: 0.5 })],
    );
  });
  test('Dropout is the identity (no node), even as the only layer', async () => {
    const r = await expectEquivalent(
      'dropout',
      [5],
      [
        () => tf.layers.dense({ units: 4 }),
        () => tf.layers.dropout({ rate: 0.5 }),
        () => tf.layers.dense({ units: 2 }),
      ],
    );
    assert.deepEqual(ops(r), ['Gemm', 'Gemm']);
    const only = await expectEquivalent('dropout-only', [5], [() => tf.layers.dropout({ rate: 0.3 })]);
    assert.deepEqual(ops(only), ['Identity']);
  });
  test('ZeroPadding2D symmetric and asymmetric', async () => {
    await expectEquivalent('zeropad-1', [4, 5, 2], [() => tf.layers.zeroPadding2d({ padding: 1 })]);
    const r = await expectEquivalent(
      'zeropad-asym',
      [4, 5, 2],
      [
        () =>
          tf.layers.zeroPadding2d({
            padding: [
              [1, 2],
              [0, 3],
            ],
          }),
      ],
    );
    assert.deepEqual(ops(r), ['Pad']);
  });
  test('BatchNormalization on an image, on a flattened map and without center/scale', async () => {
    await expectEquivalent('bn-image', [4, 4, 3], [() => tf.layers.batchNormalization()]);
    await expectEquivalent(
      'bn-flat',
      [3, 2, 4],
      [
        () => tf.layers.conv2d({ filters: 3, kernelSize: 2 }),
        () => tf.layers.flatten(),
        () => tf.layers.batchNormalization({ epsilon: 0.01 }),
      ],
    );
    await expectEquivalent('bn-plain', [6], [() => tf.layers.batchNormalization({ center: false, scale: false })]);
  });
  test('Standardize: Sub then Div', async () => {
    const r = await expectEquivalent('standardize', [4, 4, 1], [() => new Standardize({ mean: 0.25, std: 0.5 })]);
    assert.deepEqual(ops(r), ['Sub', 'Div']);
  });
});

describe('opsets and refusals', () => {
  test(`every opset from ${OPSET_MIN} to ${OPSET_MAX} writes a checked, equivalent file`, async () => {
    for (let opset = OPSET_MIN; opset <= OPSET_MAX; opset++) {
      const model = buildLayers(
        [6, 6, 1],
        [
          () => tf.layers.zeroPadding2d({ padding: 1 }),
          () => tf.layers.conv2d({ filters: 2, kernelSize: 3, activation: 'relu' }),
          () => tf.layers.flatten(),
          () => tf.layers.dense({ units: 3, activation: 'softmax' }),
        ],
      );
      const r = await exportAndCompare(model, `opset-${opset}`, 2, 3, { opset });
      assert.ok(r.comparison.ok, `opset ${opset}`);
      assert.equal(r.proto.opsetImport[0].version, opset);
    }
  });
  test('an unknown opset is refused with the valid range', () => {
    const model = buildLayers([3], [() => tf.layers.dense({ units: 2 })]);
    for (const opset of [12, 18]) {
      assert.throws(
        () => layersModelToOnnx(model, { opset }),
        (e: unknown) => e instanceof UserError && /expected an integer from 13 to 17, got/.test(e.message),
      );
    }
  });
  test('an unsupported built-in layer is named with its class, what to do and the supported list', () => {
    const model = buildLayers([6, 2], [() => tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'seq' })]);
    assert.throws(
      () => layersModelToOnnx(model),
      (e: unknown) => {
        assert.ok(e instanceof UserError);
        assert.match(e.message, /^layer 'seq' \(Conv1D\) is not supported; replace it .*; supported layers: .*Conv2D/);
        assert.ok(!e.message.includes('\n'));
        for (const name of supportedLayers()) assert.ok(e.message.includes(name));
        return true;
      },
    );
  });
  test('a custom layer is refused as one the exporter cannot see inside', () => {
    class Doubler extends tf.layers.Layer {
      static className = 'Doubler';
      override call(x: tf.Tensor | tf.Tensor[]) {
        return tf.mul(Array.isArray(x) ? x[0] : x, 2);
      }
    }
    const model = buildLayers([3], [() => new Doubler({ name: 'twice' })]);
    assert.throws(
      () => layersModelToOnnx(model),
      (e: unknown) =>
        e instanceof UserError &&
        /^layer 'twice' \(Doubler\) is a custom layer .*rewrite it with built-in layers/.test(e.message),
    );
  });
  test('NaN or infinite weights are refused, naming the tensor', () => {
    for (const bad of [NaN, Infinity]) {
      const model = buildLayers([3], [() => tf.layers.dense({ units: 2, name: 'head' })]);
      const [k, b] = model.layers[1].getWeights();
      const values = k.dataSync().slice();
      values[4] = bad;
      model.layers[1].setWeights([tf.tensor(values, k.shape), b]);
      assert.throws(
        () => layersModelToOnnx(model),
        (e: unknown) =>
          e instanceof UserError &&
          /weight 'head\/kernel' of layer 'head' holds (NaN|Infinity) at index 4/.test(e.message),
      );
    }
  });
});

test('the official checker accepts every file written above', (t) => {
  if (!requirePythonOnnx(t)) return;
  assert.ok(written.length > 30, `expected many files, got ${written.length}`);
  checkOnnxFiles(written);
});
