import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { OnnxRunner } from '../../src/export/run-onnx.js';
import { layersModelToOnnx } from '../../src/export/to-onnx.js';
import { compareFloats } from '../helpers/close.js';
import {
  buildGraph,
  buildLayers,
  expectModelEquivalent,
  lcg,
  ops,
  randomizeWeights,
  written,
  type LayerFactory,
} from './helpers/equivalence.js';
import { checkOnnxFiles, hasPythonOnnx, requirePythonOnnx } from './helpers/system.js';

before(async () => {
  await initBackend('wasm');
});

after(() => {
  if (written.length && hasPythonOnnx()) checkOnnxFiles(written);
});

/** Build input -> layers with seeded weights, export with an NHWC input, compare within 1e-4 of the output scale. */
async function chain(
  name: string,
  inputShape: number[],
  layers: LayerFactory[],
  inputLayout: 'nhwc' | 'nchw' = 'nhwc',
) {
  const model = buildLayers(inputShape, layers, 3);
  const r = await expectModelEquivalent(name, model, { inputLayout });
  model.dispose();
  return r;
}

const transposes = (r: Parameters<typeof ops>[0]) => ops(r).filter((o) => o === 'Transpose').length;

describe('convolutions', () => {
  test('Conv2D: strides, dilation, same and valid, with and without bias; one Transpose at an NHWC input', async () => {
    const r = await chain(
      'l-conv-mix',
      [11, 9, 3],
      [
        () => tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
        () =>
          tf.layers.conv2d({ filters: 3, kernelSize: [2, 3], dilationRate: 2, padding: 'same', activation: 'relu' }),
        () => tf.layers.conv2d({ filters: 2, kernelSize: 2, padding: 'valid' }),
      ],
    );
    assert.equal(transposes(r), 1);
    assert.equal(ops(r)[0], 'Transpose');
    const none = await chain('l-conv-nchw', [6, 6, 3], [() => tf.layers.conv2d({ filters: 2, kernelSize: 3 })], 'nchw');
    assert.equal(transposes(none), 0);
  });
  for (const multiplier of [1, 2]) {
    test(`DepthwiseConv2D, depth multiplier ${multiplier}, same with stride 2 and valid without bias`, async () => {
      await chain(
        `l-depthwise-${multiplier}`,
        [9, 8, 3],
        [
          () => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: multiplier, strides: 2, padding: 'same' }),
          () => tf.layers.depthwiseConv2d({ kernelSize: 2, depthMultiplier: multiplier, useBias: false }),
        ],
      );
    });
  }
  test('SeparableConv2D with dilation', async () => {
    await chain(
      'l-separable-dilated',
      [9, 9, 2],
      [() => tf.layers.separableConv2d({ filters: 3, kernelSize: 3, dilationRate: 2, padding: 'same' })],
    );
  });
  test('SeparableConv2D with a depth multiplier, same padding, stride 2, relu', async () => {
    const r = await chain(
      'l-separable',
      [8, 7, 3],
      [
        () =>
          tf.layers.separableConv2d({
            filters: 5,
            kernelSize: 3,
            depthMultiplier: 2,
            strides: 2,
            padding: 'same',
            activation: 'relu',
          }),
      ],
    );
    assert.deepEqual(ops(r), ['Transpose', 'Conv', 'Conv', 'Relu']);
  });
  for (const [k, s, padding] of [
    [3, 2, 'same'],
    [2, 2, 'valid'],
    [3, 1, 'valid'],
    [1, 2, 'valid'],
    [4, 2, 'same'],
  ] as const) {
    test(`Conv2DTranspose kernel ${k} stride ${s} ${padding}`, async () => {
      await chain(
        `l-deconv-${k}-${s}-${padding}`,
        [4, 5, 3],
        [() => tf.layers.conv2dTranspose({ filters: 2, kernelSize: k, strides: s, padding })],
      );
    });
  }
});

describe('BatchNormalization', () => {
  test('folded into Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose and Dense (no BatchNormalization node)', async () => {
    const r = await chain(
      'l-bn-fold',
      [8, 8, 3],
      [
        () => tf.layers.conv2d({ filters: 4, kernelSize: 3, useBias: false }),
        () => tf.layers.batchNormalization(),
        () => tf.layers.reLU({ maxValue: 6 }),
        () => tf.layers.depthwiseConv2d({ kernelSize: 3, padding: 'same', useBias: false }),
        () => tf.layers.batchNormalization({ epsilon: 0.01 }),
        () => tf.layers.separableConv2d({ filters: 3, kernelSize: 3 }),
        () => tf.layers.batchNormalization({ center: false }),
        () => tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2 }),
        () => tf.layers.batchNormalization({ scale: false }),
        () => tf.layers.flatten(),
        () => tf.layers.dense({ units: 4 }),
        () => tf.layers.batchNormalization(),
      ],
    );
    assert.ok(!ops(r).includes('BatchNormalization'));
  });
  test('kept as BatchNormalization where no layer can take it (after an activation, on rank 3)', async () => {
    const r = await chain(
      'l-bn-kept',
      [6, 6, 2],
      [() => tf.layers.conv2d({ filters: 3, kernelSize: 3, activation: 'relu' }), () => tf.layers.batchNormalization()],
    );
    assert.ok(ops(r).includes('BatchNormalization'));
    await chain('l-bn-rank3', [5, 4], [() => tf.layers.batchNormalization()]);
  });
});

describe('Dense', () => {
  test('on a rank-3 input (MatMul) and on a map (1x1 Conv)', async () => {
    await chain('l-dense-rank3', [5, 4], [() => tf.layers.dense({ units: 3, activation: 'tanh' })]);
    const r = await chain(
      'l-dense-map',
      [4, 5, 3],
      [
        () => tf.layers.conv2d({ filters: 4, kernelSize: 1 }),
        () => tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    );
    assert.equal(transposes(r), 1);
  });
});

describe('activations', () => {
  for (const activation of [
    'elu',
    'hardSigmoid',
    'linear',
    'relu',
    'relu6',
    'selu',
    'sigmoid',
    'softmax',
    'softplus',
    'softsign',
    'tanh',
    'swish',
    'mish',
    'gelu',
    'gelu_new',
    'logSoftmax',
  ]) {
    test(`Activation ${activation} on a map`, async () => {
      await chain(
        `l-act-${activation}`,
        [3, 4, 3],
        [
          () => tf.layers.conv2d({ filters: 3, kernelSize: 1 }),
          () => tf.layers.activation({ activation: activation as any }),
        ],
      );
    });
  }
  test('ReLU with maxValue (ReLU6 is a Clip), LeakyReLU, ELU, ThresholdedReLU, and ThresholdedReLU', async () => {
    const r = await chain('l-relu6', [4, 4, 2], [() => tf.layers.reLU({ maxValue: 6 })]);
    assert.ok(ops(r).includes('Clip'));
    await chain('l-leaky', [4, 4, 2], [() => tf.layers.leakyReLU({ alpha: 0.2 })]);
    await chain('l-elu', [4, 4, 2], [() => tf.layers.elu()]);
    await chain('l-threshold', [4, 4, 2], [() => tf.layers.thresholdedReLU({ theta: 0.1 })]);
  });
  test('PReLU on a map, with shared axes, and after a Flatten', async () => {
    await chain(
      'l-prelu-map',
      [3, 4, 2],
      [() => tf.layers.conv2d({ filters: 3, kernelSize: 1 }), () => tf.layers.prelu()],
    );
    await chain('l-prelu-shared', [3, 4, 2], [() => tf.layers.prelu({ sharedAxes: [1, 2] })]);
    await chain('l-prelu-flat', [3, 4, 2], [() => tf.layers.flatten(), () => tf.layers.prelu()]);
  });
});

describe('pooling and shape layers', () => {
  test('MaxPooling2D and AveragePooling2D same and valid; 1-D pooling', async () => {
    await chain(
      'l-pool2d',
      [9, 7, 3],
      [
        () => tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }),
        () => tf.layers.averagePooling2d({ poolSize: 2, padding: 'same' }),
      ],
    );
    await chain(
      'l-pool1d',
      [9, 3],
      [
        () => tf.layers.maxPooling1d({ poolSize: 3, strides: 2, padding: 'same' }),
        () => tf.layers.averagePooling1d({ poolSize: 2 }),
      ],
    );
  });
  test('GlobalAveragePooling2D, GlobalMaxPooling2D and the 1-D ones', async () => {
    for (const [name, make] of [
      ['gap2d', () => tf.layers.globalAveragePooling2d({})],
      ['gmp2d', () => tf.layers.globalMaxPooling2d({})],
    ] as const) {
      const r = await chain(`l-${name}`, [5, 4, 3], [make, () => tf.layers.dense({ units: 2 })]);
      assert.equal(transposes(r), 1);
    }
    await chain('l-gap1d', [5, 3], [() => tf.layers.globalAveragePooling1d({})]);
    await chain('l-gmp1d', [5, 3], [() => tf.layers.globalMaxPooling1d({})]);
  });
  test('ZeroPadding2D, Cropping2D, UpSampling2D nearest and bilinear', async () => {
    await chain(
      'l-pad-crop',
      [6, 7, 2],
      [
        () =>
          tf.layers.zeroPadding2d({
            padding: [
              [1, 2],
              [0, 3],
            ],
          }),
        () =>
          tf.layers.cropping2D({
            cropping: [
              [2, 0],
              [1, 1],
            ],
          }),
      ],
    );
    await chain('l-upsample-nearest', [3, 4, 2], [() => tf.layers.upSampling2d({ size: [2, 3] })]);
    await chain(
      'l-upsample-bilinear',
      [3, 4, 2],
      [() => tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' })],
    );
  });
  test('Flatten and Reshape after convolutions keep tfjs element order', async () => {
    await chain(
      'l-flatten-out',
      [4, 3, 2],
      [() => tf.layers.conv2d({ filters: 3, kernelSize: 2 }), () => tf.layers.flatten()],
    );
    await chain(
      'l-reshape-seq',
      [4, 3, 2],
      [
        () => tf.layers.conv2d({ filters: 3, kernelSize: 1 }),
        () => tf.layers.reshape({ targetShape: [12, 3] }),
        () => tf.layers.dense({ units: 2 }),
      ],
    );
  });
  test('Permute of a map and of a sequence', async () => {
    const r = await chain(
      'l-permute-map',
      [4, 3, 2],
      [() => tf.layers.permute({ dims: [2, 1, 3] }), () => tf.layers.conv2d({ filters: 2, kernelSize: 2 })],
    );
    assert.equal(transposes(r), 2);
    await chain('l-permute-seq', [4, 3], [() => tf.layers.permute({ dims: [2, 1] })]);
  });
  test('Dropout, SpatialDropout1D, GaussianNoise and GaussianDropout are identities; Rescaling', async () => {
    const r = await chain(
      'l-identities',
      [4, 4, 2],
      [
        () => tf.layers.dropout({ rate: 0.4 }),
        () => tf.layers.gaussianNoise({ stddev: 0.3 }),
        () => tf.layers.gaussianDropout({ rate: 0.2 }),
        () => tf.layers.conv2d({ filters: 2, kernelSize: 1 }),
      ],
    );
    assert.deepEqual(ops(r), ['Transpose', 'Conv']);
    await chain('l-spatial-dropout', [4, 2], [() => tf.layers.spatialDropout1d({ rate: 0.3 })]);
    await chain('l-rescaling', [4, 4, 3], [() => tf.layers.rescaling({ scale: 1 / 127.5, offset: -1 })]);
  });
  test('Resizing (static size) computes what tfjs resizeBilinear / resizeNearestNeighbor compute for it', async () => {
    // tfjs' Resizing layer hands predict()'s input list to the resize op, so predict() throws (and the wasm
    // backend cannot build it): compare, on the cpu backend, with the op the layer calls and the arguments
    // it passes (corners aligned unless cropToAspectRatio).
    await tf.setBackend('cpu');
    try {
      for (const interpolation of ['bilinear', 'nearest'] as const) {
        const model = buildLayers([5, 7, 2], [() => tf.layers.resizing({ height: 8, width: 3, interpolation })]);
        const bytes = encodeModel(layersModelToOnnx(model, { inputLayout: 'nhwc' }));
        const rand = lcg(4);
        const data = Float32Array.from({ length: 2 * 5 * 7 * 2 }, () => rand());
        const x = tf.tensor4d(data, [2, 5, 7, 2]);
        const y =
          interpolation === 'bilinear'
            ? tf.image.resizeBilinear(x, [8, 3], true)
            : tf.image.resizeNearestNeighbor(x, [8, 3], true);
        const runner = await OnnxRunner.create(bytes, 'nhwc');
        const actual = (await runner.run({ data, shape: [2, 5, 7, 2] })).data;
        await runner.release();
        const c = compareFloats(actual, y.dataSync(), 1e-5, 0);
        assert.ok(c.ok, `${interpolation}: max |diff| ${c.maxAbs}`);
      }
    } finally {
      await tf.setBackend('wasm');
    }
  });
});

describe('merges and graphs', () => {
  const branches = (x: tf.SymbolicTensor) => {
    const a = tf.layers.conv2d({ filters: 3, kernelSize: 3, padding: 'same' }).apply(x) as tf.SymbolicTensor;
    const b = tf.layers.conv2d({ filters: 3, kernelSize: 1, activation: 'relu' }).apply(x) as tf.SymbolicTensor;
    return [a, b];
  };
  for (const [name, merge] of [
    ['add', () => tf.layers.add()],
    ['multiply', () => tf.layers.multiply()],
    ['average', () => tf.layers.average()],
    ['maximum', () => tf.layers.maximum()],
    ['minimum', () => tf.layers.minimum()],
    ['concat-channels', () => tf.layers.concatenate()],
    ['concat-height', () => tf.layers.concatenate({ axis: 1 })],
    ['concat-width', () => tf.layers.concatenate({ axis: 2 })],
  ] as const) {
    test(`${name} of two branches that share the input`, async () => {
      const model = buildGraph([5, 4, 2], (x) => merge().apply(branches(x)) as tf.SymbolicTensor, 5);
      const r = await expectModelEquivalent(`l-merge-${name}`, model, { inputLayout: 'nhwc' });
      assert.equal(transposes(r), 1);
    });
  }
  test('three-input Add and Concatenate of flattened branches', async () => {
    const model = buildGraph([4, 4, 2], (x) => {
      const [a, b] = branches(x);
      const sum = tf.layers.add().apply([a, b, a]) as tf.SymbolicTensor;
      const fa = tf.layers.flatten().apply(sum) as tf.SymbolicTensor;
      const fb = tf.layers.flatten().apply(b) as tf.SymbolicTensor;
      return tf.layers.dense({ units: 3 }).apply(tf.layers.concatenate().apply([fa, fb])) as tf.SymbolicTensor;
    });
    await expectModelEquivalent('l-merge-flat', model, { inputLayout: 'nhwc' });
  });
  test('nested models: a functional model inside a Sequential inside a Sequential', async () => {
    const innerIn = tf.input({ shape: [6, 6, 3] });
    const c = tf.layers.conv2d({ filters: 4, kernelSize: 3, name: 'conv' }).apply(innerIn) as tf.SymbolicTensor;
    const trunk = tf.model({ inputs: innerIn, outputs: tf.layers.reLU().apply(c) as tf.SymbolicTensor, name: 'trunk' });
    const middle = tf.sequential({ name: 'middle', layers: [trunk, tf.layers.globalAveragePooling2d({})] });
    const outer = tf.sequential({
      layers: [
        middle,
        tf.layers.dense({ units: 5, activation: 'relu', name: 'head' }),
        tf.layers.dense({ units: 3, activation: 'softmax' }),
      ],
    });
    randomizeWeights(outer, 9);
    const r = await expectModelEquivalent('l-nested', outer, { inputLayout: 'nhwc' });
    assert.deepEqual(ops(r), ['Transpose', 'Conv', 'Relu', 'ReduceMean', 'Gemm', 'Relu', 'Gemm', 'Softmax']);
  });
});

test('the official checker accepts every file written here', (t) => {
  if (!requirePythonOnnx(t)) return;
  assert.ok(written.length > 40, `expected many files, got ${written.length}`);
  checkOnnxFiles(written);
});
