// Dynamic batching: concurrent requests share runs, and each gets its own answer, equal to an unbatched run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DynamicBatcher } from '../../src/server/batcher.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { MODEL, inferBody, postJson, rows, serveForTest } from './helpers/server.js';

test('concurrent HTTP requests are coalesced and each gets the answer of its own unbatched run', async () => {
  const batched = await serveForTest({ maxBatch: 64, batchDelayMs: 20 });
  const single = await serveForTest({ batching: false });
  try {
    const sizes = Array.from({ length: 24 }, (_, i) => 1 + (i % 3));
    const ask = (u: string) =>
      Promise.all(sizes.map((n, i) => postJson(u + 'v2/models/lenet5/infer', inferBody(n, i * 7, { id: `r${i}` }))));
    const [a, b] = [await ask(batched.url), await ask(single.url)];
    for (const [i, r] of a.entries()) {
      assert.equal(r.status, 200);
      assert.equal(r.body.id, `r${i}`);
      assert.deepEqual(r.body.outputs[0].shape, [sizes[i], 10]);
      assert.deepEqual(r.body.outputs, b[i].body.outputs, `request ${i}`);
    }
    const stats = batched.models.get('lenet5')!.batcher!.stats;
    assert.equal(
      stats.rows,
      sizes.reduce((s, n) => s + n, 0),
    );
    assert.ok(stats.runs < sizes.length, `${stats.runs} runs for ${sizes.length} requests: nothing was batched`);
  } finally {
    await batched.close();
    await single.close();
  }
});

test('the batcher keeps to --max-batch, runs a larger request alone, and splits outputs by request', async () => {
  const model = await loadDigitModel(MODEL);
  try {
    const seen: number[] = [];
    const b = new DynamicBatcher(
      async ([input], n) => {
        seen.push(n);
        return [{ data: (await model.run(input as Float32Array, n)).slice(), dims: [n, 10] }];
      },
      { maxBatch: 4, delayMs: 5 },
    );
    const sizes = [1, 2, 1, 3, 6, 1];
    const outs = await Promise.all(sizes.map((n, i) => b.submit([Float32Array.from(rows(n, i))], n)));
    assert.ok(
      seen.every((n) => n <= 4 || sizes.includes(n)),
      `batches ${seen}`,
    );
    assert.equal(
      seen.reduce((s, n) => s + n, 0),
      14,
    );
    for (const [i, n] of sizes.entries()) {
      const alone = await model.run(Float32Array.from(rows(n, i)), n);
      assert.deepEqual(outs[i][0].dims, [n, 10]);
      assert.deepEqual(Array.from(outs[i][0].data as Float32Array), Array.from(alone), `request ${i}`);
    }
  } finally {
    await model.close();
  }
});

test('a request whose signal aborts while queued is dropped, not run', async () => {
  let ran = 0;
  const b = new DynamicBatcher(
    async (_inputs, n) => {
      ran += n;
      return [{ data: new Float32Array(n * 10), dims: [n, 10] }];
    },
    { maxBatch: 8, delayMs: 30 },
  );
  const ac = new AbortController();
  const dropped = b.submit([new Float32Array(784)], 1, ac.signal);
  const kept = b.submit([new Float32Array(784)], 1);
  ac.abort(new Error('gone'));
  await assert.rejects(dropped, /gone/);
  assert.equal((await kept)[0].data.length, 10);
  assert.equal(ran, 1);
});
