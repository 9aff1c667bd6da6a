import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { findInk } from '../../src/runtime/ink/find.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { preprocess, type GrayImage, type PixelBox } from '../../src/runtime/preprocess.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { testOnnxPath } from './helpers/files.js';
import { scaleUp } from './helpers/transforms.js';

const CONTRACT = { ...MNIST_CONTRACT, layout: 'NCHW' as const };
const mnist = await readMnist('test');
const digit = (k: number): GrayImage => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });
const model = await loadDigitModel(testOnnxPath());
after(() => model.close());

async function read(img: GrayImage): Promise<{ label: number; p: number; box: PixelBox }> {
  const r = preprocess(img, CONTRACT);
  assert.ok(r.ok, `expected ink, got ${JSON.stringify(r)}`);
  const probs = await model.run(r.input, 1);
  let k = 0;
  for (let j = 1; j < 10; j++) if (probs[j] > probs[k]) k = j;
  return { label: k, p: probs[k], box: r.inkBox };
}

/** A deterministic stream of roughly normal deviates (sum of uniforms). */
function noiseStream(seed: number): () => number {
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  return () => (u() + u() + u() + u() - 2) * 1.73;
}

/**
 * A photographed sheet: paper at `paper` grey lit by a gradient of +-`gradient` levels from left to right,
 * a soft shadow over the bottom-right, noise of `sigma`, with the white-on-black `ink` pictures laid on it
 * as dark ink. Returns the picture and each ink's true box (coverage >= 0.2).
 */
function sheet(
  w: number,
  h: number,
  inks: Array<{ img: GrayImage; x: number; y: number }>,
  opts: { paper?: number; gradient?: number; sigma?: number; seed?: number } = {},
): { img: GrayImage; boxes: PixelBox[] } {
  const paper = opts.paper ?? 190,
    gradient = opts.gradient ?? 20,
    sigma = opts.sigma ?? 3;
  const noise = noiseStream(opts.seed ?? 1);
  const cover = new Float32Array(w * h);
  const boxes = inks.map(({ img, x, y }) => {
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -1,
      y1 = -1;
    for (let r = 0; r < img.height; r++)
      for (let c = 0; c < img.width; c++) {
        const v = img.data[r * img.width + c] / 255;
        const i = (y + r) * w + x + c;
        if (v > cover[i]) cover[i] = v;
        if (v >= 0.2) {
          x0 = Math.min(x0, x + c);
          x1 = Math.max(x1, x + c);
          y0 = Math.min(y0, y + r);
          y1 = Math.max(y1, y + r);
        }
      }
    return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
  });
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const light = 1 + (gradient / paper) * ((2 * x) / w - 1);
      const shade = x > 0.7 * w && y > 0.6 * h ? 0.9 : 1;
      const i = y * w + x;
      const v = (paper - (paper - 30) * cover[i]) * light * shade + sigma * noise();
      data[i] = Math.max(0, Math.min(255, Math.round(v)));
    }
  return { img: { width: w, height: h, data }, boxes };
}

/** Largest difference between the sides of two boxes, in pixels. */
function boxError(a: PixelBox, b: PixelBox): number {
  return Math.max(
    Math.abs(a.x - b.x),
    Math.abs(a.y - b.y),
    Math.abs(a.x + a.width - b.x - b.width),
    Math.abs(a.y + a.height - b.y - b.height),
  );
}

test('MNIST test images preprocess bit for bit as they always have', () => {
  // FNV-1a over the float bytes of all 10,000 inputs, recorded from the preprocessing before ink finding
  // became local: any change to how a clean picture is treated shows here.
  let h = 0x811c9dc5;
  for (let k = 0; k < mnist.count; k++) {
    const r = preprocess(digit(k), CONTRACT);
    assert.ok(r.ok);
    const bytes = new Uint8Array(r.input.buffer, r.input.byteOffset, r.input.byteLength);
    for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  }
  assert.equal((h >>> 0).toString(16), 'fb355a2');
});

test('a digit on a gradient-lit, tinted, shadowed, noisy sheet: tight box and the clean prediction', async () => {
  for (const k of [0, 1, 2, 3, 4, 7, 11, 18]) {
    const big = scaleUp(digit(k), 4);
    const { img, boxes } = sheet(480, 400, [{ img: big, x: 40 + 30 * (k % 5), y: 60 + 20 * (k % 7) }], { seed: k + 1 });
    const clean = await read(digit(k));
    const photo = await read(img);
    assert.equal(photo.label, clean.label, `digit ${k}: photo read ${photo.label}, clean ${clean.label}`);
    assert.ok(
      boxError(photo.box, boxes[0]) <= 4,
      `digit ${k}: box ${JSON.stringify(photo.box)} vs true ${JSON.stringify(boxes[0])}`,
    );
  }
});

test('a small digit on a large photo is found at full size and reads as the clean digit', async () => {
  for (const k of [0, 1, 2]) {
    const { img, boxes } = sheet(640, 480, [{ img: digit(k), x: 300 + 20 * k, y: 200 }], { seed: 20 + k });
    const photo = await read(img);
    assert.equal(photo.label, (await read(digit(k))).label, `digit ${k}`);
    assert.ok(
      boxError(photo.box, boxes[0]) <= 1,
      `digit ${k}: box ${JSON.stringify(photo.box)} vs true ${JSON.stringify(boxes[0])}`,
    );
  }
});

test('specks of noise and dust are dropped, far and near', async () => {
  const k = 5;
  const { img, boxes } = sheet(400, 300, [{ img: scaleUp(digit(k), 4), x: 150, y: 80 }], { seed: 9 });
  // Dust: small dark dots, some far from the digit and one just outside its reach.
  for (const [x, y] of [
    [20, 20],
    [380, 30],
    [30, 270],
    [360, 260],
    [110, 150],
  ]) {
    for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) img.data[(y + dy) * 400 + x + dx] = 40;
  }
  const r = findInk(img);
  assert.ok(r.ok);
  assert.equal(r.map.ink.length, 1, `ink pieces: ${r.map.ink.map((p) => `${p.x0},${p.y0}`).join(' ')}`);
  const photo = await read(img);
  assert.ok(boxError(photo.box, boxes[0]) <= 4, `box ${JSON.stringify(photo.box)} vs ${JSON.stringify(boxes[0])}`);
  assert.equal(photo.label, (await read(digit(k))).label);
});

test('blank pictures report no ink, even under uneven light and noise', () => {
  for (const [w, h] of [
    [640, 480],
    [120, 90],
  ]) {
    const { img } = sheet(w, h, [], { seed: 3 });
    const r = preprocess(img, CONTRACT);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'no-ink');
      assert.match(r.message, /^no ink found: /);
    }
  }
});

test('a page of text is refused in one line, not read as a digit', () => {
  const inks = [];
  for (let row = 0; row < 8; row++)
    for (let col = 0; col < 12; col++) inks.push({ img: digit(row * 12 + col), x: 10 + col * 34, y: 10 + row * 36 });
  const { img } = sheet(430, 310, inks, { seed: 4 });
  const r = preprocess(img, CONTRACT);
  assert.equal(r.ok, false);
  if (!r.ok) {
    assert.equal(r.reason, 'too-much-ink');
    assert.match(r.message, /^too much ink: .*\d+ separate marks/);
    assert.doesNotMatch(r.message, /\n/);
  }
});

test('preprocess flags ink that touches the edge and counts separate digits', () => {
  const one = preprocess(digit(0), CONTRACT);
  assert.ok(one.ok && one.digitCount === 1 && !one.edgeTouching);
  const { img } = sheet(
    300,
    120,
    [
      { img: scaleUp(digit(1), 3), x: 10, y: 20 },
      { img: scaleUp(digit(2), 3), x: 110, y: 20 },
      { img: scaleUp(digit(3), 3), x: 216, y: 20 },
    ],
    { seed: 5 },
  );
  const three = preprocess(img, CONTRACT);
  assert.ok(three.ok && three.digitCount === 3, `digitCount ${three.ok && three.digitCount}`);
  // The digit shifted up until its first ink row is the picture's top row.
  const d = digit(0);
  const first = Math.floor(d.data.findIndex((v) => v > 0) / 28);
  const shifted = new Uint8Array(784);
  shifted.set(d.data.subarray(first * 28));
  const edge = preprocess({ width: 28, height: 28, data: shifted }, CONTRACT);
  assert.ok(edge.ok && edge.edgeTouching);
});
