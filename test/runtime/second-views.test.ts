// Writers differ most in slant and width: the line reader reads a crop the network is unsure of again leaning
// left and right, wider and narrower (SECOND_LOOK), and takes the mean. The network here is a stub, so the
// tests check the reader's use of the views and the shear and stretch themselves, not what a model makes of
// them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { shearCrop, stretchCrop, type InkCrop } from '../../src/runtime/ink/fit.js';
import { readModelFile } from '../../src/runtime/node/model-file.js';
import { readLine, type Classifier } from '../../src/runtime/read-line.js';
import { SECOND_LOOK } from '../../src/runtime/reader-thresholds.js';
import { SECOND_VIEW_COUNT } from '../../src/runtime/second-look.js';
import { blocksPicture } from './helpers/blocks.js';

const { contract } = await readModelFile('models/lenet5-e20.onnx');

/** A stub network that reads every crop of its first call as `first`, and of every later call as '7', surely. */
function stub(first: Record<string, number>): { classify: Classifier; calls: number[] } {
  const calls: number[] = [];
  const classify: Classifier = async (inputs) => {
    calls.push(inputs.length);
    const probs = calls.length === 1 ? first : { '7': 1 };
    return inputs.map(() => Float32Array.from(contract.labels, (l) => probs[l] ?? 0));
  };
  return { classify, calls };
}

const stroke = blocksPicture(120, 100, [[50, 20, 10, 60]]);

test('a crop the network is unsure of is read again in every second view, and its reading is the mean of them all', async () => {
  const { classify, calls } = stub({ '1': 0.6, '7': 0.4 });
  const r = await readLine(stroke, contract, classify);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '7');
  const views = SECOND_VIEW_COUNT;
  assert.equal(views, SECOND_LOOK.slantViews.length + SECOND_LOOK.widthViews.length);
  assert.ok(SECOND_LOOK.widthViews.length > 0);
  assert.deepEqual(calls, [1, views]);
  const seven = contract.labels.indexOf('7');
  assert.ok(Math.abs(r.digits[0].probabilities![seven] - (0.4 + views) / (views + 1)) < 1e-6);
});

test("the line reader looks again under its own bar, above predict's", async () => {
  const between = (SECOND_LOOK.surePicture + SECOND_LOOK.sureReading) / 2;
  const { classify, calls } = stub({ '1': between, '7': 1 - between });
  const r = await readLine(stroke, contract, classify);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.deepEqual(calls, [1, SECOND_VIEW_COUNT]);
});

test('a crop the network reads surely is read once', async () => {
  const { classify, calls } = stub({ '1': 0.995, '7': 0.005 });
  const r = await readLine(stroke, contract, classify);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '1');
  assert.deepEqual(calls, [1]);
});

/** A w x h crop with ink `v(x, y)`. */
function crop(w: number, h: number, v: (x: number, y: number) => number): InkCrop {
  const data = new Float32Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = v(x, y);
  return { box: { x: 10, y: 5, width: w, height: h }, data, peak: 1 };
}

/** Mean column of the ink in rows y0..y1 of a crop, in the crop's box's coordinates. */
function meanColumn(c: InkCrop, y0: number, y1: number): number {
  let m = 0,
    s = 0;
  for (let y = y0; y <= y1; y++)
    for (let x = 0; x < c.box.width; x++) {
      m += c.data[y * c.box.width + x];
      s += c.data[y * c.box.width + x] * (c.box.x + x);
    }
  return s / m;
}

test('shearCrop leans a stroke by the shear per row, keeps every bit of ink, and changes nothing at 0', () => {
  const upright = crop(3, 41, (x) => (x === 1 ? 1 : 0));
  const total = (c: InkCrop) => c.data.reduce((a, b) => a + b, 0);
  for (const shear of [0.2, -0.2, 0.35]) {
    const leaning = shearCrop(upright, shear);
    assert.equal(leaning.box.height, 41);
    assert.ok(Math.abs(total(leaning) - total(upright)) < 1e-4);
    // the top row moves right by shear * 20 rows, the bottom row left by as much
    assert.ok(Math.abs(meanColumn(leaning, 0, 0) - meanColumn(upright, 0, 0) - 20 * shear) < 1e-4);
    assert.ok(Math.abs(meanColumn(leaning, 40, 40) - meanColumn(upright, 40, 40) + 20 * shear) < 1e-4);
  }
  const flat = crop(9, 1, () => 1);
  assert.equal(shearCrop(flat, 0.2), flat, 'a crop one row high has nothing to lean');
  const same = shearCrop(upright, 0);
  assert.deepEqual(
    [same.box, same.data],
    [{ x: 11, y: 5, width: 1, height: 41 }, upright.data.filter((_, i) => i % 3 === 1)],
  );
});

test('stretchCrop scales a crop along its rows only: columns map to columns by the factor, ink is kept', () => {
  // a ramp of ink across 20 columns, 7 rows, with a solid stroke at column 5
  const ramp = crop(20, 7, (x) => (x === 5 ? 1 : 0.02 * x));
  const total = (c: InkCrop) => c.data.reduce((a, b) => a + b, 0);
  for (const factor of [1.35, 0.75, 2, 0.5]) {
    const s = stretchCrop(ramp, factor);
    assert.deepEqual(
      { x: s.box.x, y: s.box.y, height: s.box.height, width: s.box.width },
      { x: 10, y: 5, height: 7, width: Math.round(20 * factor) },
    );
    const row = Array.from(s.data.subarray(0, s.box.width));
    assert.ok(Math.abs(s.peak - Math.max(...row)) < 1e-6, 'the peak falls as the strongest value does');
    // ink in all scales with the width, within the edges' rounding: resampling keeps a row's mean strength
    assert.ok(Math.abs(total(s) / total(ramp) / (s.box.width / 20) - 1) < 0.03, `factor ${factor}`);
    for (let y = 1; y < 7; y++)
      assert.deepEqual(s.data.subarray(y * s.box.width, (y + 1) * s.box.width), s.data.subarray(0, s.box.width));
    // the stroke's ink moves to its scaled place: its centre is column 5.5 of 20, 5.5 * factor of the new width
    let mass = 0,
      at = 0;
    row.forEach((v, x) => {
      const stroke = v - 0.02 * ((x + 0.5) / factor - 0.5);
      if (stroke > 0.05) {
        mass += stroke;
        at += stroke * (x + 0.5);
      }
    });
    assert.ok(Math.abs(at / mass - 5.5 * factor) < 0.6, `factor ${factor}: stroke at ${at / mass}`);
  }
  assert.equal(stretchCrop(ramp, 1), ramp, 'no change, no copy');
  // a crop whose stroke level lies under its brightest pixel (a noisy picture) keeps that ratio
  const noisy = { ...crop(20, 7, (x) => (x === 5 ? 1 : x === 6 ? 0.5 : 0)), peak: 0.8 };
  for (const factor of [0.75, 1.35]) {
    const s = stretchCrop(noisy, factor);
    assert.ok(Math.abs(s.peak / Math.max(...s.data) - 0.8) < 1e-6, `factor ${factor}: peak ${s.peak}`);
  }
  const thin = crop(2, 5, () => 1);
  assert.equal(stretchCrop(thin, 0.75), thin, 'a crop too narrow to narrow is itself');
});
