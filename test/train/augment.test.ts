import { test } from 'node:test';
import assert from 'node:assert/strict';
import { augmentPicture, sampleSeed } from '../../src/train/data/augment.js';
import { gatherBatch, type Split } from '../../src/train/data/dataset.js';
import { seededRandom } from '../../src/train/data/rng.js';

function bar(rows: number, cols: number): Float32Array {
  const p = new Float32Array(rows * cols);
  for (let y = 8; y < 20; y++) p[y * cols + 14] = 1; // a vertical stroke like a 1
  return p;
}

test('no distortion leaves the picture as it is; a shift moves the ink and keeps it', () => {
  const src = bar(28, 28);
  const same = new Float32Array(784);
  augmentPicture(src, same, 28, 28, () => 0.5, { rotateDeg: 10, scale: 0.1, shiftPx: 2 }); // 0.5 = no change
  assert.deepEqual(
    Array.from(same, (v) => Math.round(v * 1e6)),
    Array.from(src, (v) => Math.round(v * 1e6)),
  );
  const shifted = new Float32Array(784);
  augmentPicture(src, shifted, 28, 28, seededRandom(5), { rotateDeg: 0, scale: 0, shiftPx: 2 });
  const mass = (p: Float32Array) => p.reduce((a, b) => a + b, 0);
  assert.ok(Math.abs(mass(shifted) - mass(src)) < 0.5, `ink kept: ${mass(shifted)} vs ${mass(src)}`);
  assert.notDeepEqual(Array.from(shifted), Array.from(src));
});

test('augmented batches do not depend on how the batch is split between workers', () => {
  const n = 6;
  const split: Split = { x: new Float32Array(n * 784), y: new Uint8Array(n), count: n, rows: 28, cols: 28 };
  for (let i = 0; i < n; i++) {
    split.x.set(bar(28, 28), i * 784);
    split.y[i] = i;
  }
  const order = [5, 3, 1, 0, 2, 4];
  const whole = gatherBatch(split, order, 0, 6, 10, { seed: 9, step: 17, offset: 0 });
  const a = gatherBatch(split, order, 0, 3, 10, { seed: 9, step: 17, offset: 0 });
  const b = gatherBatch(split, order, 3, 3, 10, { seed: 9, step: 17, offset: 3 });
  assert.deepEqual(Array.from(whole.x), [...a.x, ...b.x]);
  assert.deepEqual(Array.from(whole.y), [...a.y, ...b.y]);
  const other = gatherBatch(split, order, 0, 6, 10, { seed: 9, step: 18, offset: 0 });
  assert.notDeepEqual(Array.from(other.x), Array.from(whole.x), 'another step draws other distortions');
  assert.notEqual(sampleSeed(1, 2, 3), sampleSeed(1, 3, 2));
});
