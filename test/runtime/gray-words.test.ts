// RGB to grey reads word-aligned bytes four pixels at a time: at every alignment and length it must give what
// the byte-by-byte rounding gives.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rgbaToGray } from '../../src/runtime/preprocess.js';
import { seededRandom } from '../../src/train/data/rng.js';

test('rgbaToGray of RGB bytes at every byte offset and length equals the rounding of each pixel', () => {
  const rand = seededRandom(12345);
  const rnd = () => Math.floor(rand() * 256);
  const backing = new Uint8Array(3 * 1000 + 8);
  for (let i = 0; i < backing.length; i++) backing[i] = rnd();
  for (let offset = 0; offset < 8; offset++) {
    for (const n of [1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 640, 999, 1000]) {
      const rgb = backing.subarray(offset, offset + 3 * n);
      const gray = rgbaToGray(rgb, n, 1, 3).data;
      for (let i = 0; i < n; i++) {
        const want = Math.round(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]);
        assert.equal(gray[i], want, `offset ${offset}, ${n} pixels, pixel ${i}`);
      }
    }
  }
  // a clamped array and a shared buffer read the same
  const clamped = new Uint8ClampedArray(backing.buffer, 4, 3 * 100);
  const shared = new Uint8Array(new SharedArrayBuffer(3 * 100));
  shared.set(clamped);
  assert.deepEqual([...rgbaToGray(shared, 100, 1, 3).data], [...rgbaToGray(clamped, 10, 10, 3).data]);
});
