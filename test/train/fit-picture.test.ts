import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMnist } from '../../src/data/idx.js';
import { preprocess, type GrayImage } from '../../src/runtime/preprocess.js';
import { head } from '../../src/train/data/dataset.js';
import { fitCleanPicture } from '../../src/train/data/fit-picture.js';
import { contractFor, LABEL_SETS } from '../../src/train/models/label-sets.js';

const READING = contractFor(LABEL_SETS.reading.labels, LABEL_SETS.reading.rejectLabel);
const digitsPromise = readMnist('train').then((d) => head(d, 20));

/** Digit `i` of `d` as bytes, at (`ox`, `oy`) on a blank `w` x `h` picture. */
function onCanvas(
  d: Awaited<typeof digitsPromise>,
  i: number,
  w: number,
  h: number,
  ox: number,
  oy: number,
): GrayImage {
  const data = new Uint8Array(w * h);
  const px = d.rows * d.cols;
  for (let y = 0; y < d.rows; y++)
    for (let x = 0; x < d.cols; x++) data[(oy + y) * w + ox + x] = Math.round(255 * d.x[i * px + y * d.cols + x]);
  return { width: w, height: h, data };
}

/** Columns of a fitted input that hold ink. */
function inkColumns(input: Float32Array, side: number): number {
  let n = 0;
  for (let x = 0; x < side; x++) {
    let any = false;
    for (let y = 0; y < side; y++) any ||= input[y * side + x] > 0;
    if (any) n++;
  }
  return n;
}

test('a clean digit is fitted as the readers fit it: the same input as preprocess gives', async () => {
  const d = await digitsPromise;
  for (let i = 0; i < d.count; i++) {
    const pic = onCanvas(d, i, 50, 44, 7 + (i % 5), 3 + (i % 7));
    const fitted = fitCleanPicture(pic, READING);
    const r = preprocess(pic, READING);
    assert.ok(fitted && r.ok, `digit ${i}: both fits find ink`);
    assert.equal(fitted.length, r.input.length);
    for (let k = 0; k < fitted.length; k++)
      assert.ok(Math.abs(fitted[k] - r.input[k]) < 1e-6, `digit ${i}, pixel ${k}`);
  }
});

test('every drawn piece is fitted, however small and far from the rest', async () => {
  const d = await digitsPromise;
  const pic = onCanvas(d, 0, 120, 40, 4, 6);
  const alone = fitCleanPicture(pic, READING)!;
  // A two-pixel dot far right of the digit: part of the drawing, so the box spans it and the digit shrinks.
  pic.data[20 * 120 + 110] = pic.data[20 * 120 + 111] = 200;
  const withDot = fitCleanPicture(pic, READING)!;
  const side = READING.width;
  // The box spans the digit and the far dot, so the digit is fitted into a small share of it.
  assert.ok(inkColumns(alone, side) >= 12, `the digit alone fills its box: ${inkColumns(alone, side)} columns`);
  assert.ok(inkColumns(withDot, side) <= 6, `beside the dot it shrinks: ${inkColumns(withDot, side)} columns`);
});

test('a picture without ink has no fit', () => {
  assert.equal(fitCleanPicture({ width: 30, height: 30, data: new Uint8Array(900) }, READING), null);
});
