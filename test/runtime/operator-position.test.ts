// Where a mark sits in the line is what a fitted crop cannot show: a flat mark near the top of the line, set
// apart from a digit, is that digit's part (a 7's bar) rather than an operator, while the same mark across the
// line's middle is a minus sign. The network is a stub that reads crops by their ink's shape, so the test
// checks the line reader's weighing and nothing else.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readModelFile } from '../../src/runtime/node/model-file.js';
import type { GrayImage } from '../../src/runtime/preprocess.js';
import { readLine, type Classifier } from '../../src/runtime/read-line.js';
import { blocksPicture } from './helpers/blocks.js';

const { contract } = await readModelFile('models/arithmetic.onnx');
const W = contract.width;

/** Tall and narrow ink reads as '1', flat ink as '-', anything squarer as a doubtful '7'. */
const stub: Classifier = async (inputs) =>
  inputs.map((x) => {
    let x0 = W,
      x1 = -1,
      y0 = W,
      y1 = -1;
    const bg = x[0];
    for (let i = 0; i < x.length; i++)
      if (x[i] > bg + 0.5) {
        const r = Math.floor(i / W),
          c = i % W;
        x0 = Math.min(x0, c);
        x1 = Math.max(x1, c);
        y0 = Math.min(y0, r);
        y1 = Math.max(y1, r);
      }
    const w = x1 - x0 + 1,
      h = y1 - y0 + 1;
    const [label, prob] = h >= 2.5 * w ? ['1', 0.9] : w >= 2.5 * h ? ['-', 0.9] : ['7', 0.45];
    const n = contract.labels.length;
    const p = new Float32Array(n).fill((1 - prob) / (n - 1));
    p[contract.labels.indexOf(label)] = prob;
    return p;
  });

/** Two upright strokes on white, the first with a flat mark just right of it whose top is at `barTop`. */
const line = (barTop: number): GrayImage =>
  blocksPicture(200, 100, [
    [40, 20, 10, 60],
    [52, barTop, 24, 6],
    [120, 20, 10, 60],
  ]);

test("a flat mark across the line's middle reads as a minus sign", async () => {
  const r = await readLine(line(47), contract, stub);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '1-1');
});

test('the same mark at the top of the line is no operator: the reading that takes it into the digit wins', async () => {
  const r = await readLine(line(20), contract, stub);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '71');
});

test('a minus beside a digit is never read as part of it, however surely the network reads the two as one', async () => {
  // the stub reads flat ink as a doubtful '-', upright ink as '1', and the two joined, surely, as '7'
  const sure: Classifier = async (inputs) => {
    const read = await stub(inputs);
    return read.map((p) => {
      const k = p.indexOf(Math.max(...p));
      const [label, prob] =
        contract.labels[k] === '-' ? ['-', 0.3] : contract.labels[k] === '1' ? ['1', 0.9] : ['7', 0.95];
      const q = new Float32Array(p.length).fill((1 - prob) / (p.length - 1));
      q[contract.labels.indexOf(label)] = prob;
      return q;
    });
  };
  const r = await readLine(
    blocksPicture(200, 100, [
      [26, 47, 24, 6],
      [52, 20, 10, 60],
      [120, 20, 10, 60],
    ]),
    contract,
    sure,
  );
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '-11');
});
