import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PixelGate } from '../../src/runtime/node/pixel-gate.js';

test('the pixel gate lets decodes run while they fit, queues the rest in order, and runs an oversized one alone', async () => {
  const gate = new PixelGate(100);
  const started: string[] = [];
  const take = (name: string, px: number) => gate.acquire(px).then(() => started.push(name));
  const a = take('a', 60);
  const b = take('b', 30);
  const c = take('c', 50); // does not fit beside a and b
  const d = take('d', 5); // fits, but waits behind c: first come, first served
  await Promise.all([a, b]);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started, ['a', 'b']);
  assert.equal(gate.pixelsInUse, 90);
  gate.release(60);
  await Promise.all([c, d]);
  assert.deepEqual(started, ['a', 'b', 'c', 'd']);
  assert.equal(gate.pixelsInUse, 85);
  gate.release(30);
  gate.release(50);
  gate.release(5);
  await take('huge', 1000); // over the whole budget: runs, alone
  assert.equal(gate.pixelsInUse, 1000);
  const small = take('small', 1);
  await new Promise((r) => setImmediate(r));
  assert.ok(!started.includes('small'), 'nothing runs beside a picture over the budget');
  gate.release(1000);
  await small;
  assert.throws(() => new PixelGate(0), /budget must be a positive number of pixels, got 0/);
});
