import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { nativePrepare } from '../../src/train/step/prepare-input.js';
import { seededRandom } from '../../src/train/data/rng.js';

test('the input preparation in JavaScript gives the bits tfjs gives: LeNet-5 padding and standardising', async () => {
  await initBackend('wasm');
  const model = buildLenet5({ seed: 1 });
  const prep = model.layers.slice(1, 3);
  assert.deepEqual(
    prep.map((l) => l.getClassName()),
    ['ZeroPadding2D', 'Standardize'],
  );
  const native = nativePrepare(prep, [28, 28, 1]);
  assert.ok(native);
  const rand = seededRandom(4);
  const n = 3;
  const src = Float32Array.from({ length: n * 784 }, () => rand());
  const expected = tf.tidy(() =>
    prep.reduce<tf.Tensor>((t, l) => l.apply(t) as tf.Tensor, tf.tensor4d(src, [n, 28, 28, 1])).dataSync(),
  );
  const got = new Float32Array(n * 32 * 32);
  native(src, n, got);
  assert.deepEqual(got, expected);
  model.dispose();
});

test('layers other than zero padding and standardising are left to tfjs', () => {
  const crop = tf.layers.cropping2D({ cropping: 1, inputShape: [28, 28, 1] });
  assert.equal(nativePrepare([crop], [28, 28, 1]), undefined);
  assert.equal(
    nativePrepare([tf.layers.zeroPadding2d({ padding: 1, dataFormat: 'channelsFirst' })], [28, 28, 1]),
    undefined,
  );
});
