// The worker pool's questions and abandonment: a worker may ask the sender about the request it holds before it
// replies, and a request whose signal aborts stops the worker holding it, which a fresh worker replaces.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { WorkerPool } from '../../src/threads/pool.js';

// a worker that ends when its pool closes, echoes, loops forever on 'spin', and asks its parent to double a number on 'ask'
const CODE = `
const { parentPort } = require('node:worker_threads');
let setup = 0;
const asked = new Map();
parentPort.on('message', (m) => {
  if ('poolClose' in m) { parentPort.close(); return; }
  if ('setup' in m) { setup = m.setup; return; }
  if ('answer' in m) { asked.get(m.id)(m.answer); return; }
  if (m.op === 'spin') for (;;) {}
  if (m.op === 'ask') {
    new Promise((r) => asked.set(m.id, r)).then((a) => parentPort.postMessage({ id: m.id, value: a + setup }));
    parentPort.postMessage({ id: m.id, ask: m.value });
    return;
  }
  parentPort.postMessage({ id: m.id, value: m.value + setup });
});`;

type Req = { id: number; op: string; value: number };
type Reply = { id: number; value: number };
const pool = (n = 1) => new WorkerPool<Req, Reply>(() => new Worker(CODE, { eval: true }), n, 'test');

test('a worker asks about its request and replies with the answer', { timeout: 10_000 }, async () => {
  const p = pool();
  p.broadcast({ setup: 1 });
  const r = await p.request({ op: 'ask', value: 20 }, [], async (ask) => ({ answer: (ask as number) * 2 }));
  assert.equal(r.value, 41);
  await p.close();
});

test(
  'an aborted request stops the worker holding it; a fresh worker, set up again, takes the next',
  { timeout: 10_000 },
  async () => {
    const p = pool();
    p.broadcast({ setup: 100 });
    const ac = new AbortController();
    const spinning = p.request({ op: 'spin', value: 0 }, [], undefined, ac.signal);
    setTimeout(() => ac.abort(new Error('deadline')), 100);
    await assert.rejects(spinning, /deadline/);
    // without the restart this request would wait behind the endless loop forever
    const r = await p.request({ op: 'echo', value: 5 });
    assert.equal(r.value, 105);
    await p.close();
  },
);

test('close stops the workers after waitMs even when they hold work', { timeout: 10_000 }, async () => {
  const p = pool();
  const spinning = p.request({ op: 'spin', value: 0 });
  const t = performance.now();
  await p.close(200);
  await assert.rejects(spinning, /test workers stopped/);
  assert.ok(performance.now() - t < 5000);
});
