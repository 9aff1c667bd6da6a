import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { findInk } from '../../src/runtime/ink/find.js';
import { modelClassifier } from '../../src/runtime/model-classifier.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import type { GrayImage } from '../../src/runtime/preprocess.js';
import { readText } from '../../src/runtime/read-text.js';

const mnist = await readMnist('test');

/**
 * Dark-on-white at 3x: the first test 7, a bar with a dot over and under it (or only stray dots), the first 2.
 * `sign` is the ÷'s ink level (30 = as dark as the digits' darkest).
 */
function line(withBar: boolean, sign = 30, barWidth = 16): GrayImage {
  const s = 3,
    w = 110 * s,
    h = 48 * s;
  const data = new Uint8Array(w * h).fill(245);
  const ink = (x: number, y: number) => {
    data[y * w + x] = sign;
  };
  const digit = (k: number, x0: number) => {
    for (let y = 0; y < 28 * s; y++)
      for (let x = 0; x < 28 * s; x++) {
        const v = mnist.images[k * 784 + Math.floor(y / s) * 28 + Math.floor(x / s)];
        if (v > 0) data[(10 * s + y) * w + x0 + x] = Math.round(245 - (215 * v) / 255);
      }
  };
  const box = (x0: number, y0: number, bw: number, bh: number) => {
    for (let y = y0; y < y0 + bh; y++) for (let x = x0; x < x0 + bw; x++) ink(x, y);
  };
  digit(0, 4 * s);
  if (withBar) box((48 - barWidth / 2) * s, 23 * s, barWidth * s, 2 * s);
  box(47 * s, 18 * s, s, s);
  box(47 * s, 29 * s, s, s);
  digit(1, 66 * s);
  return { width: w, height: h, data };
}

/** The 7 and the 2 of {@link line} alone: no bar and no dots (dots over and under a mark make it a ÷). */
function digitsOnly(): GrayImage {
  const s = 3;
  const img = line(false);
  for (const y0 of [18 * s, 29 * s])
    for (let y = y0; y < y0 + s; y++) img.data.fill(245, y * img.width + 47 * s, y * img.width + 48 * s);
  return img;
}

/** What the arithmetic model reads in `img` (the test fails on a refusal). */
async function readArithmetic(img: GrayImage) {
  const model = await loadDigitModel('models/arithmetic.onnx');
  try {
    const r = await readText(img, model.contract, modelClassifier(model));
    assert.ok(r.ok, r.ok ? '' : r.message);
    return r;
  } finally {
    await model.close();
  }
}

test('the dots of a division sign are kept as ink with their bar; the same dots without a bar are not', () => {
  const withBar = findInk(line(true));
  const without = findInk(line(false));
  assert.ok(withBar.ok && without.ok);
  assert.equal(withBar.map.ink.length, 5, 'a 7, a bar, two dots, a 2');
  assert.equal(without.map.ink.length, 2, 'the 7 and the 2: lone specks stay specks');
});

test('the arithmetic model reads 7÷2 with its exact value', async () => {
  const r = await readArithmetic(line(true));
  assert.equal(r.text, '7÷2');
  assert.deepEqual(r.value, { fraction: '7/2', decimal: '3.5' });
});

test('a small ÷ written with a light hand is kept whole: its bar is too pale and short for ink alone, but holds a dot over and under it', () => {
  // Ink at 180 on paper at 245: under a third as strong as the digits, and a bar a third of a digit's height long.
  const pale = findInk(line(true, 180, 8));
  assert.ok(pale.ok);
  assert.equal(pale.map.ink.length, 5, 'a 7, the bar, two dots, a 2');
  const noDots = findInk(line(false, 180, 8));
  assert.ok(noDots.ok);
  assert.equal(noDots.map.ink.length, 2, 'pale dots alone are specks');
});

test('a thin minus sign written with a light hand beside dark digits is ink, not a speck', () => {
  const s = 3;
  const img = digitsOnly();
  // Ink at 170 on paper at 245, two pixels thick: a third of the digits' contrast and about 2% of their mass.
  for (let y = 23 * s; y < 23 * s + 2; y++) for (let x = 43 * s; x < 53 * s; x++) img.data[y * img.width + x] = 170;
  const found = findInk(img);
  assert.ok(found.ok);
  assert.equal(found.map.ink.length, 3, 'the 7, the minus sign, the 2');
});

test('a short, stubby minus sign (twice as long as thick, a fifth of a digit tall) is ink, not a speck of the digit beside it', async () => {
  const s = 3;
  const img = digitsOnly();
  // Ink at 170 on paper at 245, 12 by 6 pixels: too light for a stroke by mass, too short for one by length.
  for (let y = 23 * s; y < 25 * s; y++) img.data.fill(170, y * img.width + 46 * s, y * img.width + 50 * s);
  const found = findInk(img);
  assert.ok(found.ok);
  assert.equal(found.map.ink.length, 3, 'the 7, the minus sign, the 2');
  assert.equal((await readArithmetic(img)).text, '7-2');
});

test('a small + standing clear of the digits in a drawn picture is a mark of its own, not a speck', async () => {
  const s = 3;
  const img = digitsOnly();
  // Arms 15 pixels long and 3 thick at 165 on paper at 245: too light for ink by mass, too short for a stroke.
  const x0 = 46 * s,
    y0 = 22 * s;
  for (let y = y0; y < y0 + 15; y++) img.data.fill(165, y * img.width + x0 + 6, y * img.width + x0 + 9);
  for (let y = y0 + 6; y < y0 + 9; y++) img.data.fill(165, y * img.width + x0, y * img.width + x0 + 15);
  const found = findInk(img);
  assert.ok(found.ok);
  assert.equal(found.map.ink.length, 3, 'the 7, the plus sign, the 2');
  assert.equal((await readArithmetic(img)).text, '7+2');
});
