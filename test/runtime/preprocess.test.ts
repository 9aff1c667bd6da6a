import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { preprocess, rgbaToGray, type GrayImage } from '../../src/runtime/preprocess.js';
import type { InputContract } from '../../src/runtime/contract.js';
import { readMnist } from '../../src/data/idx.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { compareFloats } from '../helpers/close.js';
import { invert, pad, scaleUp } from './helpers/transforms.js';

const CONTRACT: InputContract = { ...MNIST_CONTRACT, layout: 'NCHW' };
const mnist = await readMnist('test');
const digit = (k: number): GrayImage => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });
const asFloats = (img: GrayImage): Float32Array => Float32Array.from(img.data, (v) => v / 255);

function run(img: GrayImage, contract = CONTRACT): Float32Array {
  const r = preprocess(img, contract);
  assert.ok(r.ok, `expected ink, got ${JSON.stringify(r)}`);
  return r.input;
}

test('MNIST test digits come out unchanged up to the contrast stretch', () => {
  let unchanged = 0;
  const n = 500;
  for (let k = 0; k < n; k++) {
    const c = compareFloats(run(digit(k)), asFloats(digit(k)), 1 / 254 + 1e-6, 0);
    if (c.ok) unchanged++;
  }
  // MNIST fitted a few digits into 19 pixels; those are rescaled to 20 and differ.
  assert.ok(unchanged >= n * 0.995, `${unchanged}/${n} unchanged`);
});

test("inverted, off-centre padded digits give exactly the clean digit's input", () => {
  for (let k = 0; k < 50; k++) {
    const clean = run(digit(k));
    const c1 = compareFloats(run(invert(digit(k))), clean, 1e-6, 0);
    assert.ok(c1.ok, `digit ${k} inverted: worst index ${c1.worstIndex}, max |diff| ${c1.maxAbs}`);
    const c2 = compareFloats(run(pad(invert(digit(k)), 200, 150, 17 + k, 90 - k, 255)), clean, 1e-6, 0);
    assert.ok(c2.ok, `digit ${k} padded: worst index ${c2.worstIndex}, max |diff| ${c2.maxAbs}`);
  }
});

test('a digit scaled up 4x is brought back close to the clean input', () => {
  // A 1-pixel shift of a thin stroke ruins any pixel-wise distance; cosine similarity of the pictures
  // blurred by 3x3 is what "the same digit, same place, same size" means here.
  let worst = 1;
  for (let k = 0; k < 50; k++) {
    const sim = cosine(blur3(run(digit(k))), blur3(run(scaleUp(digit(k), 4))));
    worst = Math.min(worst, sim);
  }
  assert.ok(worst > 0.88, `worst cosine similarity ${worst.toFixed(3)}`);
});

function blur3(a: Float32Array): Float32Array {
  const out = new Float32Array(a.length);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      let s = 0;
      for (let dy = -1; dy <= 1; dy++)
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy,
            xx = x + dx;
          if (yy >= 0 && yy < 28 && xx >= 0 && xx < 28) s += a[yy * 28 + xx];
        }
      out[y * 28 + x] = s;
    }
  return out;
}

function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0,
    aa = 0,
    bb = 0;
  for (let i = 0; i < a.length; i++) {
    ab += a[i] * b[i];
    aa += a[i] * a[i];
    bb += b[i] * b[i];
  }
  return ab / Math.sqrt(aa * bb);
}

test('the centre of mass lands at the field centre for an off-centre digit', () => {
  const img = pad(digit(3), 300, 80, 250, 2, 0);
  const input = run(img);
  let m = 0,
    cx = 0,
    cy = 0;
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const v = input[y * 28 + x];
      m += v;
      cx += x * v;
      cy += y * v;
    }
  assert.ok(Math.abs(cx / m - 14) <= 0.5 && Math.abs(cy / m - 14) <= 0.5, `centre of mass ${cx / m}, ${cy / m}`);
});

test('blank, uniform and noise-only pictures report no ink', () => {
  const blank = { width: 40, height: 30, data: new Uint8Array(1200) };
  const white = { width: 40, height: 30, data: new Uint8Array(1200).fill(255) };
  let seed = 7;
  const noise = new Uint8Array(640 * 480).map(() => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    // about Gaussian around 200 with sigma ~6 (sum of uniforms)
    return 200 + ((seed >>> 8) % 7) + ((seed >>> 16) % 7) + ((seed >>> 24) % 7) - 9;
  });
  for (const img of [blank, white, { width: 640, height: 480, data: noise }]) {
    const r = preprocess(img, CONTRACT);
    assert.equal(r.ok, false);
    if (!r.ok) {
      assert.equal(r.reason, 'no-ink');
      assert.match(r.message, /no ink found/);
    }
  }
});

test('a faint but real digit on noisy paper is still found', () => {
  let seed = 3;
  const img = pad(invert(digit(0)), 120, 120, 40, 30, 255);
  const data = Uint8Array.from(img.data, (v) => {
    seed = (seed * 1103515245 + 12345) >>> 0;
    // paper at ~190 with noise, ink compressed to 110..190
    return Math.round(110 + (v / 255) * 80) + ((seed >>> 16) % 5) - 2;
  });
  const r = preprocess({ width: 120, height: 120, data }, CONTRACT);
  assert.ok(r.ok && r.inverted);
});

test('the output follows the contract: pixel range and ink polarity', () => {
  const clean = run(digit(1));
  const other: InputContract = { ...CONTRACT, pixelRange: [-1, 1], ink: 'low' };
  const mapped = run(digit(1), other);
  const expected = clean.map((v) => 1 - 2 * v);
  const c = compareFloats(mapped, expected, 1e-6, 0);
  assert.ok(c.ok, `worst index ${c.worstIndex}`);
});

test('malformed pictures throw RangeError', () => {
  assert.throws(() => preprocess({ width: 3, height: 3, data: new Uint8Array(8) }, CONTRACT), RangeError);
  assert.throws(() => preprocess({ width: 0, height: 3, data: new Uint8Array(0) }, CONTRACT), RangeError);
});

test('rgbaToGray: opaque luma, and transparent canvas strokes stay visible', () => {
  const rgb = rgbaToGray(Uint8Array.from([255, 0, 0, 0, 255, 0, 0, 0, 255]), 3, 1, 3);
  assert.deepEqual([...rgb.data], [76, 150, 29]);
  // black stroke on a transparent canvas (all zeros): must become dark ink on white
  const rgba = new Uint8Array(4 * 4);
  rgba.set([0, 0, 0, 255], 4);
  const g = rgbaToGray(rgba, 4, 1, 4);
  assert.deepEqual([...g.data], [255, 0, 255, 255]);
  // white stroke on transparent: light ink on black
  const rgba2 = new Uint8Array(4 * 4);
  rgba2.set([255, 255, 255, 255], 8);
  assert.deepEqual([...rgbaToGray(rgba2, 4, 1, 4).data], [0, 0, 255, 0]);
  assert.throws(() => rgbaToGray(new Uint8Array(5), 1, 1, 4), RangeError);
});

test('rgbaToGray of RGB bytes is Math.round of the BT.601 sum for every one of the 2^24 colours', () => {
  // one picture holding every (r, g, b) once: 4096 x 4096 pixels
  const rgb = new Uint8Array(3 << 24);
  for (let c = 0, p = 0; c < 1 << 24; c++, p += 3) {
    rgb[p] = c >> 16;
    rgb[p + 1] = (c >> 8) & 255;
    rgb[p + 2] = c & 255;
  }
  const gray = rgbaToGray(rgb, 4096, 4096, 3).data;
  let wrong = 0,
    first = -1;
  for (let c = 0; c < 1 << 24; c++) {
    const want = Math.round(0.299 * (c >> 16) + 0.587 * ((c >> 8) & 255) + 0.114 * (c & 255));
    if (gray[c] !== want) {
      wrong++;
      if (first < 0) first = c;
    }
  }
  assert.equal(wrong, 0, `first wrong colour: ${first.toString(16)}`);
});

test('preprocess.ts stays shareable with the browser: only shared runtime files, no Node or DOM', () => {
  // Follow the relative imports from preprocess.ts: every file reached must live in src/runtime outside node/.
  const root = new URL('../../src/runtime/', import.meta.url);
  const seen = new Set<string>();
  const visit = (url: URL) => {
    if (seen.has(url.href)) return;
    seen.add(url.href);
    assert.ok(
      url.href.startsWith(root.href) && !url.href.startsWith(new URL('node/', root).href),
      `${url.pathname} is not shared runtime code`,
    );
    const src = readFileSync(url, 'utf8');
    const imports = [...src.matchAll(/^(?:import|export)\s[^;]*?from\s+'([^']+)'/gm)].map((m) => m[1]);
    for (const spec of imports) {
      assert.match(spec, /^\.\.?\//, `${url.pathname} imports '${spec}'`);
      visit(new URL(spec.replace(/\.js$/, '.ts'), url));
    }
    assert.doesNotMatch(src, /\b(document|window|process|Buffer|require)\b[.(]/, url.pathname);
  };
  visit(new URL('preprocess.ts', root));
  assert.ok(seen.size > 1);
});
