import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nchwToNhwc, nhwcToNchw } from '../../src/export/layout.js';

test('NHWC <-> NCHW: every element lands where the index formula puts it, and the two undo each other', () => {
  const [n, h, w, c] = [2, 3, 4, 5];
  const nhwc = Float32Array.from({ length: n * h * w * c }, (_, i) => i);
  const nchw = nhwcToNchw(nhwc, [n, h, w, c]);
  for (let b = 0; b < n; b++)
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let ch = 0; ch < c; ch++) {
          assert.equal(nchw[((b * c + ch) * h + y) * w + x], nhwc[((b * h + y) * w + x) * c + ch]);
        }
  assert.deepEqual(nchwToNhwc(nchw, [n, c, h, w]), nhwc);
  // One channel: the memory order is the same, so the data is passed through.
  const gray = new Float32Array(12);
  assert.equal(nhwcToNchw(gray, [1, 3, 4, 1]), gray);
  assert.equal(nchwToNhwc(gray, [1, 1, 3, 4]), gray);
});
