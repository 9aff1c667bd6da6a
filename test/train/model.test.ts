import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { parameterCounts } from '../../src/train/train.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';

test('modern LeNet-5 has the documented trainable parameters per layer (61,706 in all)', async () => {
  await initBackend('wasm');
  const m = buildLenet5({ seed: 1 });
  assert.deepEqual(
    parameterCounts(m).map((p) => p.params),
    [156, 2416, 48120, 10164, 850],
  );
  assert.equal(m.countParams(), 61706);
  m.dispose();
});

test('the model takes MNIST-native pictures and holds the 32x32 padding and normalisation itself', async () => {
  await initBackend('wasm');
  const m = buildLenet5({ seed: 1 });
  assert.deepEqual(m.inputs[0].shape, [null, 28, 28, 1]);
  assert.deepEqual(m.outputs[0].shape, [null, 10]);
  const pad = m.getLayer('pad_to_32');
  assert.deepEqual(pad.outputShape, [null, 32, 32, 1]);
  // The standardise layer must map a blank (0) pixel to -mean/std and ink (1) to (1-mean)/std.
  const sub = tf.model({ inputs: m.inputs, outputs: m.getLayer('standardize').output as tf.SymbolicTensor });
  const out = tf.tidy(() => sub.predict(tf.ones([1, 28, 28, 1])) as tf.Tensor).dataSync();
  const { mean, std } = MNIST_CONTRACT;
  assert.ok(Math.abs(out[0] - (0 - mean) / std) < 1e-6, 'padding ring is background');
  assert.ok(Math.abs(out[2 * 32 + 2] - (1 - mean) / std) < 1e-6, 'first picture pixel');
  m.dispose();
});

test('the same seed gives the same initial weights; another seed does not', async () => {
  await initBackend('wasm');
  const w = (seed: number) => {
    const m = buildLenet5({ seed });
    const data = Array.from(m.getWeights()[0].dataSync());
    m.dispose();
    return data;
  };
  assert.deepEqual(w(7), w(7));
  assert.notDeepEqual(w(7), w(8));
});
