// An operator written alone (a minus, an =, a ÷) holds no character that stands as tall as a digit, so its own
// flat marks cannot measure the line: their length does (segment/line.ts, signAlone). Read with the real
// models, as a person would draw the signs on a pad, and as a blurred JPEG photo of the drawing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { decodePicture } from '../../src/runtime/node/images.js';
import { modelClassifier } from '../../src/runtime/model-classifier.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import type { GrayImage } from '../../src/runtime/ink/image.js';
import { readText } from '../../src/runtime/read-text.js';

const W = 280,
  H = 280;

/** A dark pen disk of radius `r` at (`x`, `y`). */
function disk(data: Uint8Array, x: number, y: number, r: number): void {
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) data[(y + dy) * W + x + dx] = 0;
}

/** Dark horizontal pen strokes, 17 px thick, on white: [x0, x1, y] each; then round dots [x, y, r], if any. */
function bars(strokes: [number, number, number][], dots: [number, number, number][] = []): GrayImage {
  const data = new Uint8Array(W * H).fill(255);
  for (const [x0, x1, y] of strokes) for (let x = x0; x <= x1; x++) disk(data, x, y, 8);
  for (const [x, y, r] of dots) disk(data, x, y, r);
  return { width: W, height: H, data };
}

/** The drawing photographed: twice the size, blurred, a JPEG (whose halo beside a bar is ink of its own). */
async function photo(img: GrayImage): Promise<GrayImage> {
  const raw = { width: img.width, height: img.height, channels: 1 as const };
  const jpeg = await sharp(Buffer.from(img.data), { raw })
    .resize(2 * img.width, 2 * img.height)
    .blur(1.2)
    .jpeg({ quality: 75 })
    .toBuffer();
  return decodePicture(jpeg);
}

const MINUS = [bars([[80, 200, 140]]), bars([[40, 240, 140]])];
const EQUALS = [
  bars([
    [60, 220, 110],
    [60, 220, 170],
  ]),
  bars([
    [30, 250, 115],
    [30, 250, 165],
  ]),
];
const DIVIDE = [
  bars(
    [[60, 220, 140]],
    [
      [140, 95, 12],
      [140, 185, 12],
    ],
  ),
  bars(
    [[60, 220, 140]],
    [
      [140, 105, 7],
      [140, 175, 7],
    ],
  ),
];

test('a model that reads operators reads a minus, an = or a ÷ written alone as that sign, drawn or photographed', async () => {
  const model = await loadDigitModel('models/arithmetic.onnx');
  try {
    const classify = modelClassifier(model);
    for (const [pictures, sign] of [
      [MINUS, '-'],
      [EQUALS, '='],
      [DIVIDE, '÷'],
    ] as const) {
      for (const drawn of pictures) {
        for (const [how, img] of [
          ['drawn', drawn],
          ['photographed', await photo(drawn)],
        ] as const) {
          const r = await readText(img, model.contract, classify);
          assert.ok(r.ok, `'${sign}' alone, ${how}: read, not refused (${r.ok ? '' : r.message})`);
          assert.equal(r.text, sign, `'${sign}' alone, ${how}`);
        }
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

test('bars or dots too far apart, three bars, or a flat hollow run are no sign written alone', async () => {
  const model = await loadDigitModel('models/arithmetic.onnx');
  try {
    const classify = modelClassifier(model);
    for (const [name, img] of [
      [
        'two bars far apart',
        bars([
          [60, 220, 30],
          [60, 220, 250],
        ]),
      ],
      [
        'three stacked bars',
        bars([
          [60, 220, 80],
          [60, 220, 140],
          [60, 220, 200],
        ]),
      ],
      [
        'a bar with dots far above and below',
        bars(
          [[60, 220, 140]],
          [
            [140, 60, 12],
            [140, 220, 12],
          ],
        ),
      ],
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
