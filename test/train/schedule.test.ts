import { test } from 'node:test';
import assert from 'node:assert/strict';
import { learningRateAt } from '../../src/train/step/schedule.js';

test('constant keeps the rate; cosine starts at the peak, falls monotonically and ends near zero', () => {
  assert.equal(learningRateAt(0.001, 'constant', 500, 1000), 0.001);
  const rates = Array.from({ length: 1000 }, (_, s) => learningRateAt(0.001, 'cosine', s, 1000));
  assert.equal(rates[0], 0.001);
  assert.ok(Math.abs(rates[500] - 0.0005) < 1e-12, `half way: ${rates[500]}`);
  assert.ok(rates[999] < 1e-8 && rates[999] > 0, `last step: ${rates[999]}`);
  for (let i = 1; i < rates.length; i++) assert.ok(rates[i] < rates[i - 1], `falls at step ${i}`);
});
