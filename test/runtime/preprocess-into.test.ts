// preprocess can write its input into a caller's array (a picture's place in a batch) and reuses the fit's
// intermediate pictures between calls: the values must be those of a fresh array, whatever came before.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputContract } from '../../src/runtime/contract.js';
import { preprocess, type GrayImage } from '../../src/runtime/preprocess.js';
import { readMnist } from '../../src/data/idx.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { invert, pad, scaleUp } from './helpers/transforms.js';

const mnist = await readMnist('test');
const digit = (k: number): GrayImage => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });

test('preprocess into a given array gives the values of a new one, for every contract and picture size', () => {
  const contracts: InputContract[] = [
    { ...MNIST_CONTRACT, layout: 'NCHW' },
    { ...MNIST_CONTRACT, layout: 'NCHW', ink: 'low', pixelRange: [-1, 1] },
  ];
  for (const contract of contracts) {
    const size = contract.width * contract.height;
    const batch = new Float32Array(3 * size).fill(Number.NaN);
    for (let k = 0; k < 300; k++) {
      const src = digit(k);
      // sizes that take every path of the resampling: as is, enlarged, padded, and shrunk from a large picture
      const img = [src, scaleUp(src, 3), pad(invert(src), 60, 50, 20, 9, 255), scaleUp(src, 17)][k % 4];
      const fresh = preprocess(img, contract);
      const slot = batch.subarray((k % 3) * size, ((k % 3) + 1) * size);
      const into = preprocess(img, contract, { into: slot });
      assert.equal(into.ok, fresh.ok, `picture ${k}`);
      if (!fresh.ok || !into.ok) continue;
      assert.equal(into.input, slot, `picture ${k}: the result is the given array`);
      assert.deepEqual(Array.from(slot), Array.from(fresh.input), `picture ${k}`);
      assert.deepEqual({ ...into, input: null }, { ...fresh, input: null }, `picture ${k}`);
    }
  }
});

test('an array of the wrong size is refused', () => {
  assert.throws(
    () => preprocess(digit(0), { ...MNIST_CONTRACT, layout: 'NCHW' }, { into: new Float32Array(100) }),
    /'into' holds 100 values, the contract 784/,
  );
});
