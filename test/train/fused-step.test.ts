import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { gatherBatch, splitTrainValidation, type Split } from '../../src/train/data/dataset.js';
import { gradientStep } from '../../src/train/step/gradient-step.js';
import { readMnist } from '../../src/data/idx.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { trainableSize } from '../../src/train/parallel/replica.js';
import { enableFastWasmGradients } from '../../src/train/step/wasm-fast-grads.js';
import { seededRandom } from '../../src/train/data/rng.js';
import { compareFloats } from '../helpers/close.js';

let cached: Split | undefined;
async function rows(): Promise<Split> {
  cached ??= splitTrainValidation(await readMnist('train'), 10, 3, 200).train;
  return cached;
}

/**
 * Gradients, loss and hits of our kernels' step (`own`, or a fresh one) against the tfjs chain step on the
 * same rows.
 */
async function assertSameAsTfjs(
  model: tf.LayersModel,
  x: tf.Tensor,
  y: Float32Array,
  weight: number,
  own = gradientStep(model),
): Promise<Float32Array> {
  const theirs = gradientStep(model, { ownKernels: false });
  assert.equal(own.kernels, 'own', `our kernels refused: ${own.reason}`);
  assert.equal(theirs.kernels, 'tfjs');
  const size = trainableSize(model);
  const go = new Float32Array(size).fill(NaN),
    gt = new Float32Array(size).fill(NaN);
  const before = tf.memory().numTensors;
  const ro = own.run(x, y, weight, go);
  assert.equal(tf.memory().numTensors, before, 'the fused step leaked tensors');
  const rt = theirs.run(x, y, weight, gt);
  // Relative 1e-5 where a gradient is large enough for relative error to mean something; sums of
  // thousands of products cancel, so tiny entries get an absolute bound scaled to their weight's gradient.
  let at = 0;
  for (const w of model.trainableWeights) {
    const n = w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
    const o = go.subarray(at, at + n),
      t = gt.subarray(at, at + n);
    const scale = t.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    const c = compareFloats(o, t, 1e-5 * scale, 1e-5);
    assert.ok(
      c.ok,
      `${w.name}: gradients differ: max |diff| ${c.maxAbs} at ${c.worstIndex} (own ${o[c.worstIndex]}, tfjs ${t[c.worstIndex]})`,
    );
    at += n;
  }
  assert.ok(gt.some((v) => Math.abs(v) > 1e-4));
  assert.ok(
    Math.abs(ro.meanLoss - rt.meanLoss) <= 1e-5 * Math.max(1, rt.meanLoss),
    `loss ${ro.meanLoss} vs ${rt.meanLoss}`,
  );
  assert.equal(ro.hits, rt.hits);
  return go;
}

test('our kernels compute the gradients the tfjs chain step computes: LeNet-5 on MNIST rows, batches and shards', async () => {
  await initBackend('wasm');
  enableFastWasmGradients();
  const s = await rows();
  const model = buildLenet5({ seed: 5 });
  // One step for every batch, as in training: what a batch leaves in the kernels' memory, at its own size
  // or another, must not reach the next one.
  const own = gradientStep(model);
  for (const [start, n, weight] of [
    [17, 64, 1],
    [40, 32, 0.5],
    [90, 32, 0.5],
    [3, 7, 7 / 64],
    [150, 1, 1 / 64],
    [120, 64, 1],
  ] as const) {
    const b = gatherBatch(
      s,
      Array.from({ length: s.count }, (_, i) => i),
      start,
      n,
      10,
    );
    const x = tf.tensor4d(b.x, [n, s.rows, s.cols, 1]);
    await assertSameAsTfjs(model, x, b.y, weight, own);
    x.dispose();
  }
  model.dispose();
});

test('our kernels on random inputs and weights, and the same bits on every run', async () => {
  await initBackend('wasm');
  const rand = seededRandom(11);
  const model = buildLenet5({ seed: 9 });
  // Weights far from their initial scale and inputs outside [0, 1]: every ReLU and pool sees both signs.
  model.setWeights(
    model.getWeights().map((w) =>
      tf.tensor(
        Float32Array.from({ length: w.size }, () => (rand() - 0.5) * 0.6),
        w.shape,
      ),
    ),
  );
  const n = 13;
  const x = tf.tensor4d(
    Float32Array.from({ length: n * 28 * 28 }, () => rand() * 2 - 0.5),
    [n, 28, 28, 1],
  );
  const y = new Float32Array(n * 10);
  for (let i = 0; i < n; i++) y[i * 10 + Math.floor(rand() * 10)] = 1;
  const first = await assertSameAsTfjs(model, x, y, 1);
  const again = new Float32Array(first.length);
  gradientStep(model).run(x, y, 1, again);
  assert.deepEqual(again, first);
  x.dispose();
  model.dispose();
});

test('our kernels on odd sizes: two input channels, odd maps, a convolution feeding a convolution, no biases, linear layers', async () => {
  await initBackend('wasm');
  const glorot = (seed: number) => tf.initializers.glorotUniform({ seed });
  const input = tf.input({ shape: [15, 13, 2] });
  let h = tf.layers
    .conv2d({ filters: 5, kernelSize: 3, activation: 'relu', kernelInitializer: glorot(1), biasInitializer: glorot(9) })
    .apply(input);
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h); // 13x11 -> 6x5: the odd last row and column are dropped
  h = tf.layers.conv2d({ filters: 3, kernelSize: 2, useBias: false, kernelInitializer: glorot(2) }).apply(h);
  h = tf.layers.conv2d({ filters: 7, kernelSize: [2, 3], activation: 'relu', kernelInitializer: glorot(3) }).apply(h);
  h = tf.layers.flatten().apply(h);
  h = tf.layers
    .dense({ units: 9, activation: 'relu', kernelInitializer: glorot(4), biasInitializer: glorot(8) })
    .apply(h);
  h = tf.layers.dense({ units: 6, kernelInitializer: glorot(5) }).apply(h);
  const out = tf.layers
    .dense({ units: 10, activation: 'softmax', kernelInitializer: glorot(6) })
    .apply(h) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: out });
  const rand = seededRandom(21);
  const own = gradientStep(model);
  for (const n of [5, 1, 5]) {
    const x = tf.tensor4d(
      Float32Array.from({ length: n * 15 * 13 * 2 }, () => rand() * 2 - 1),
      [n, 15, 13, 2],
    );
    const y = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) y[i * 10 + Math.floor(rand() * 10)] = 1;
    await assertSameAsTfjs(model, x, y, 0.5, own);
    x.dispose();
  }
  model.dispose();
});

test('models our kernels do not cover keep the tfjs chain step, and say why; other backends keep theirs', async () => {
  await initBackend('wasm');
  const input = tf.input({ shape: [28, 28, 1] });
  let h = tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }).apply(input);
  h = tf.layers.flatten().apply(h);
  const out = tf.layers.dense({ units: 10, activation: 'softmax' }).apply(h) as tf.SymbolicTensor;
  const strided = tf.model({ inputs: input, outputs: out });
  const s = gradientStep(strided);
  assert.equal(s.kind, 'chain');
  assert.equal(s.kernels, 'tfjs');
  assert.match(s.reason ?? '', /strided or padded/);
  strided.dispose();

  await initBackend('cpu');
  const lenet = buildLenet5({ seed: 1 });
  assert.equal(gradientStep(lenet).kernels, 'tfjs');
  lenet.dispose();
  await initBackend('wasm');
});
