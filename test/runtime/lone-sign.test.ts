// An operator written alone (a minus, an =) holds no character that stands as tall as a digit, so its own
// flat marks cannot measure the line: their width does (segment/line.ts, LINE.flatSign). Read with the real
// models, as a person would draw the signs on a pad.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { modelClassifier } from '../../src/runtime/model-classifier.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import type { GrayImage } from '../../src/runtime/ink/image.js';
import { readText } from '../../src/runtime/read-text.js';

const W = 280,
  H = 280;

/** Dark horizontal pen strokes, 17 px thick, on white: [x0, x1, y] each. */
function bars(...strokes: [number, number, number][]): GrayImage {
  const data = new Uint8Array(W * H).fill(255);
  for (const [x0, x1, y] of strokes)
    for (let x = x0; x <= x1; x++)
      for (let dy = -8; dy <= 8; dy++)
        for (let dx = -8; dx <= 8; dx++) if (dx * dx + dy * dy <= 64) data[(y + dy) * W + x + dx] = 0;
  return { width: W, height: H, data };
}

const MINUS = [bars([80, 200, 140]), bars([40, 240, 140])];
const EQUALS = [bars([60, 220, 110], [60, 220, 170]), bars([30, 250, 115], [30, 250, 165])];

test('a model that reads operators reads a minus or an = written alone as that sign', async () => {
  const model = await loadDigitModel('models/arithmetic.onnx');
  try {
    const classify = modelClassifier(model);
    for (const [pictures, sign] of [
      [MINUS, '-'],
      [EQUALS, '='],
    ] as const) {
      for (const img of pictures) {
        const r = await readText(img, model.contract, classify);
        assert.ok(r.ok, `'${sign}' alone: read, not refused (${r.ok ? '' : r.message})`);
        assert.equal(r.text, sign);
      }
    }
  } finally {
    await model.close();
  }
});

/** A row of `n` touching zeros (ovals twice as tall as wide) drawn with a 7 px pen: as flat as a bar, but hollow. */
function zeros(n: number): GrayImage {
  const data = new Uint8Array(W * H).fill(255);
  for (let k = 0; k < n; k++)
    for (let t = 0; t < 720; t++) {
      const cx = 10 + 14 + k * 28,
        x = cx + 14 * Math.cos((t * Math.PI) / 360),
        y = 140 + 28 * Math.sin((t * Math.PI) / 360);
      for (let dy = -3; dy <= 3; dy++)
        for (let dx = -3; dx <= 3; dx++) data[Math.round(y + dy) * W + Math.round(x + dx)] = 0;
    }
  return { width: W, height: H, data };
}

test('bars too far apart, three bars, or a flat hollow run are no sign written alone', async () => {
  const model = await loadDigitModel('models/arithmetic.onnx');
  try {
    const classify = modelClassifier(model);
    for (const [name, img] of [
      ['two bars far apart', bars([60, 220, 30], [60, 220, 250])],
      ['three stacked bars', bars([60, 220, 80], [60, 220, 140], [60, 220, 200])],
    ] as const) {
      const r = await readText(img, model.contract, classify);
      assert.equal(r.ok, false, `${name}: read as '${r.ok ? r.text : ''}', not refused as several lines`);
    }
    const run = await readText(zeros(9), model.contract, classify);
    assert.ok(!run.ok || run.text.length > 1, `nine touching zeros read as the one sign '${run.ok ? run.text : ''}'`);
  } finally {
    await model.close();
  }
});

test('a model that reads digits only still refuses a minus or an = written alone', async () => {
  const model = await loadDigitModel('models/lenet5-e20.onnx');
  try {
    const classify = modelClassifier(model);
    for (const img of [...MINUS, ...EQUALS]) {
      const r = await readText(img, model.contract, classify);
      assert.equal(r.ok, false, `read as '${r.ok ? r.text : ''}'`);
    }
  } finally {
    await model.close();
  }
});
