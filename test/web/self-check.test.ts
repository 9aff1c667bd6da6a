import { test } from 'node:test';
import assert from 'node:assert/strict';
import { maxAbsDiff, PROBE_COUNT, probeBatch } from '../../web/src/self-check.js';
import type { InputContract } from '../../src/runtime/contract.js';

const contract = (over: Partial<InputContract> = {}): InputContract => ({
  inputName: 'image',
  outputName: 'probabilities',
  layout: 'NCHW',
  height: 28,
  width: 28,
  channels: 1,
  pixelRange: [0, 1],
  ink: 'high',
  mean: 0.1307,
  std: 0.3081,
  labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  ...over,
});

test("probe batch: PROBE_COUNT different pictures inside the pixel range, background at the contract's end", () => {
  for (const c of [contract(), contract({ pixelRange: [-1, 1], ink: 'low', height: 20, width: 24 })]) {
    const n = c.height * c.width;
    const b = probeBatch(c);
    assert.equal(b.length, PROBE_COUNT * n);
    assert.ok(b.every((v) => v >= c.pixelRange[0] && v <= c.pixelRange[1]));
    const bg = c.ink === 'high' ? c.pixelRange[0] : c.pixelRange[1];
    const pictures = Array.from({ length: PROBE_COUNT }, (_, k) => b.subarray(k * n, (k + 1) * n));
    for (let k = 1; k < PROBE_COUNT; k++) {
      const inked = pictures[k].filter((v) => v !== bg).length;
      assert.ok(inked > 0 && inked < n, `probe ${k}: ${inked} of ${n} pixels inked`);
    }
    for (let i = 0; i < PROBE_COUNT; i++)
      for (let j = i + 1; j < PROBE_COUNT; j++) assert.ok(maxAbsDiff(pictures[i], pictures[j]) > 0);
    assert.deepEqual(probeBatch(c), b, 'deterministic');
  }
});

test('maxAbsDiff: largest difference; NaN and length mismatch count as infinitely different', () => {
  assert.equal(maxAbsDiff([1, 2, 3], [1, 2.5, 2]), 1);
  assert.equal(maxAbsDiff([0, NaN], [0, 0]), Infinity);
  assert.equal(maxAbsDiff([0, 0], [0, NaN]), Infinity);
  assert.equal(maxAbsDiff([0], [0, 0]), Infinity);
  assert.equal(maxAbsDiff([], []), 0);
});
