import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { softmaxCrossEntropy } from '../../src/train/step/chain-step.js';
import { gatherBatch, splitTrainValidation, type Split } from '../../src/train/data/dataset.js';
import { gradientStep, type GradientStep } from '../../src/train/step/gradient-step.js';
import { readMnist } from '../../src/data/idx.js';
import { buildClassic } from '../../src/train/models/classic.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { trainableSize } from '../../src/train/parallel/replica.js';
import { enableFastWasmGradients } from '../../src/train/step/wasm-fast-grads.js';
import { compareFloats } from '../helpers/close.js';

let cached: Split | undefined;
async function rows(): Promise<Split> {
  cached ??= splitTrainValidation(await readMnist('train'), 10, 3, 200).train;
  return cached;
}

/** Both steps on the same rows: gradients, mean loss and hits must agree. */
async function assertSameAsAutodiff(model: tf.LayersModel, n: number, weight: number): Promise<void> {
  const s = await rows();
  const b = gatherBatch(
    s,
    Array.from({ length: s.count }, (_, i) => i),
    17,
    n,
    10,
  );
  const x = tf.tensor4d(b.x, [n, s.rows, s.cols, 1]);
  const chain = gradientStep(model),
    auto = gradientStep(model, { chain: false });
  assert.equal(chain.kind, 'chain', `chain step refused: ${chain.reason}`);
  assert.equal(auto.kind, 'autodiff');
  const size = trainableSize(model);
  const gc = new Float32Array(size).fill(NaN),
    ga = new Float32Array(size).fill(NaN);
  const before = tf.memory().numTensors;
  const rc = chain.run(x, b.y, weight, gc);
  assert.equal(tf.memory().numTensors, before, 'the chain step leaked tensors');
  const ra = auto.run(x, b.y, weight, ga);
  x.dispose();
  const c = compareFloats(gc, ga, 1e-6, 1e-4);
  assert.ok(
    c.ok,
    `gradients differ: max |diff| ${c.maxAbs} at ${c.worstIndex} (chain ${gc[c.worstIndex]}, autodiff ${ga[c.worstIndex]})`,
  );
  // Not all zero: a step that wrote nothing would pass the comparison against a broken autodiff too.
  assert.ok(ga.some((v) => Math.abs(v) > 1e-4));
  assert.ok(
    Math.abs(rc.meanLoss - ra.meanLoss) <= 1e-5 * Math.max(1, ra.meanLoss),
    `loss ${rc.meanLoss} vs ${ra.meanLoss}`,
  );
  assert.equal(rc.hits, ra.hits);
}

test('the chain step computes the gradients autodiff computes: LeNet-5 on the wasm backend, our kernels', async () => {
  await initBackend('wasm');
  enableFastWasmGradients();
  const model = buildLenet5({ seed: 5 });
  await assertSameAsAutodiff(model, 32, 1);
  await assertSameAsAutodiff(model, 7, 7 / 64); // a shard's share of a batch
  model.dispose();
});

test('the chain step on the cpu backend, and with strides, same padding, linear layers and no biases', async () => {
  await initBackend('cpu');
  const input = tf.input({ shape: [28, 28, 1] });
  let h = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    })
    .apply(input);
  h = tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }).apply(h);
  h = tf.layers
    .conv2d({
      filters: 5,
      kernelSize: 3,
      useBias: false,
      kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    })
    .apply(h);
  h = tf.layers.flatten().apply(h);
  h = tf.layers
    .dense({ units: 12, useBias: false, kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) })
    .apply(h);
  h = tf.layers
    .dense({ units: 9, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) })
    .apply(h);
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) })
    .apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  await assertSameAsAutodiff(model, 9, 0.5);
  model.dispose();
  await initBackend('wasm');
});

test('the chain step through a strided same-padding convolution whose input gradient is used, and in Sequential models', async () => {
  await initBackend('wasm');
  const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [28, 28, 1] });
  let h = tf.layers
    .conv2d({ filters: 3, kernelSize: 5, activation: 'relu', kernelInitializer: glorot(1) })
    .apply(input);
  h = tf.layers
    .conv2d({
      filters: 4,
      kernelSize: 3,
      strides: 2,
      padding: 'same',
      activation: 'relu',
      kernelInitializer: glorot(2),
    })
    .apply(h);
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h);
  h = tf.layers.flatten().apply(h);
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(3) })
    .apply(h) as tf.SymbolicTensor;
  const functional = tf.model({ inputs: input, outputs: out });
  await assertSameAsAutodiff(functional, 6, 1);
  functional.dispose();

  // A Sequential model lists no InputLayer: its first layer (here a weightless one) must not be skipped.
  const padded = tf.sequential({
    layers: [
      tf.layers.zeroPadding2d({ padding: 2, inputShape: [28, 28, 1] }),
      tf.layers.conv2d({ filters: 3, kernelSize: 5, activation: 'relu', kernelInitializer: glorot(4) }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(5) }),
    ],
  });
  await assertSameAsAutodiff(padded, 5, 1);
  padded.dispose();
  const dense = tf.sequential({
    layers: [
      tf.layers.flatten({ inputShape: [28, 28, 1] }),
      tf.layers.dense({ units: 16, activation: 'relu', kernelInitializer: glorot(6) }),
      tf.layers.dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(7) }),
    ],
  });
  await assertSameAsAutodiff(dense, 5, 1);
  dense.dispose();
});

test('models the chain step does not know train by autodiff, and say why', async () => {
  await initBackend('wasm');
  const why = (m: tf.LayersModel): GradientStep => {
    const s = gradientStep(m);
    m.dispose();
    return s;
  };
  const classic = why(buildClassic({ seed: 1 }));
  assert.equal(classic.kind, 'autodiff');
  assert.match(classic.reason ?? '', /layer \w+ \(\w+\) is not one of Conv2D, MaxPooling2D, Flatten, Dense/);

  const seq = (layers: tf.layers.Layer[]) =>
    tf.sequential({ layers: [tf.layers.flatten({ inputShape: [28, 28, 1] }), ...layers] });
  const dropout = why(
    seq([
      tf.layers.dense({ units: 8 }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ]),
  );
  assert.match(dropout.reason ?? '', /\(Dropout\) is not one of/);
  const logits = why(seq([tf.layers.dense({ units: 10 })]));
  assert.match(logits.reason ?? '', /output layer \w+ is not a softmax Dense/);
  const tanh = why(
    seq([tf.layers.dense({ units: 8, activation: 'tanh' }), tf.layers.dense({ units: 10, activation: 'softmax' })]),
  );
  assert.match(tanh.reason ?? '', /has activation tanh/);
  // A Dense on a picture (applied per pixel) has a different gradient: refused, not mistrained.
  const perPixel = why(
    tf.sequential({
      layers: [
        tf.layers.dense({ units: 4, activation: 'relu', inputShape: [28, 28, 1] }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 10, activation: 'softmax' }),
      ],
    }),
  );
  assert.equal(perPixel.kind, 'autodiff');
  assert.match(perPixel.reason ?? '', /takes a rank-4 input, not \[batch, features\]/);
});

test('the loss gradient: softmax cross-entropy with the Keras clip, against finite differences', () => {
  const logits = new Float32Array([2, -1, 0.5, 0, 30, -30]);
  const y = new Float32Array([0, 0, 1, 0, 1, 0]);
  const { result, dLogits } = softmaxCrossEntropy(logits, y, 2, 3, 1);
  assert.equal(result.hits, 1); // row 0 predicts class 0 (label 2); row 1 predicts class 1 (label 1)
  const loss = (l: Float32Array) => softmaxCrossEntropy(l, y, 2, 3, 1).result.meanLoss;
  for (let i = 0; i < logits.length; i++) {
    const h = 1e-3,
      up = Float32Array.from(logits),
      down = Float32Array.from(logits);
    up[i] += h;
    down[i] -= h;
    const numeric = (loss(up) - loss(down)) / (2 * h);
    assert.ok(Math.abs(numeric - dLogits[i]) <= 1e-3, `logit ${i}: analytic ${dLogits[i]} vs numeric ${numeric}`);
  }
  // Row 1 is certain and right: its probability is clipped at 1 - 1e-7, so no gradient flows through it.
  assert.deepEqual([dLogits[3], dLogits[4], dLogits[5]], [0, 0, 0]);
});

test('hits count a prediction as tf.argMax does on float32 probabilities: the first of equal maxima', async () => {
  await initBackend('cpu');
  // Class 1's logit is larger by 1e-9: in double precision it wins, in float32 the probabilities are equal.
  const logits = new Float32Array([1e-9, 2e-9, 0]);
  const y = new Float32Array([0, 1, 0]);
  const tfPick = tf.tidy(() => tf.argMax(tf.softmax(tf.tensor2d(logits, [1, 3])), -1).dataSync()[0]);
  assert.equal(tfPick, 0);
  assert.equal(softmaxCrossEntropy(logits, y, 1, 3, 1).result.hits, 0);
  await initBackend('wasm');
});
