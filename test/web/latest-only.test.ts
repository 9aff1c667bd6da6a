import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LatestOnly } from '../../web/src/latest-only.js';

/** A task whose runs the test finishes by hand, and a frame scheduler the test flushes by hand. */
function harness() {
  const frames: Array<() => void> = [];
  const pending: Array<() => void> = [];
  let runs = 0;
  const lo = new LatestOnly(
    () => {
      runs++;
      return new Promise<void>((resolve) => pending.push(resolve));
    },
    (cb) => frames.push(cb),
  );
  const settle = () => new Promise((r) => setImmediate(r));
  return { lo, frames, pending, runs: () => runs, settle };
}

test('a burst of requests before the frame costs one run', async () => {
  const h = harness();
  for (let i = 0; i < 20; i++) h.lo.request();
  assert.equal(h.frames.length, 1);
  h.frames.shift()!();
  await h.settle();
  assert.equal(h.runs(), 1);
  h.pending.shift()!();
  await h.settle();
  assert.equal(h.runs(), 1, 'nothing was queued behind it');
});

test('requests during a run lead to exactly one more run, never a queue', async () => {
  const h = harness();
  h.lo.request();
  h.frames.shift()!();
  await h.settle();
  for (let i = 0; i < 50; i++) h.lo.request();
  assert.equal(h.frames.length, 0, 'no new frame while running');
  h.pending.shift()!();
  await h.settle();
  assert.equal(h.runs(), 2);
  h.pending.shift()!();
  await h.settle();
  assert.equal(h.runs(), 2);
  // Idle again: the next request schedules a fresh frame.
  h.lo.request();
  assert.equal(h.frames.length, 1);
});

test('a failing run does not stop later requests', async () => {
  let calls = 0;
  const frames: Array<() => void> = [];
  const lo = new LatestOnly(
    async () => {
      calls++;
      throw new Error('boom');
    },
    (cb) => frames.push(cb),
  );
  lo.request();
  frames.shift()!();
  await new Promise((r) => setImmediate(r));
  lo.request();
  assert.equal(frames.length, 1);
  frames.shift()!();
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 2);
});
