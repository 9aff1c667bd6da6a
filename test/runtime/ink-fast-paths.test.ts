// The fast paths of ink finding against the general ones they stand in for: the level-histogram noise and
// polarity of an even picture against the per-pixel residual statistics, and findInkTransient (buffers reused
// from picture to picture) against findInk, on MNIST test digits and on random and hostile pictures.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { labelComponents } from '../../src/runtime/ink/components.js';
import { findInk, findInkTransient } from '../../src/runtime/ink/find.js';
import {
  inkIsDark,
  levelNoise,
  levelsInkIsDark,
  NOISE_SUBSAMPLE_ABOVE,
  residualNoise,
} from '../../src/runtime/ink/noise.js';
import { preprocess, type GrayImage } from '../../src/runtime/preprocess.js';
import { otsuOfHistogram, otsuThreshold } from '../../src/runtime/ink/threshold.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { seededRandom } from '../../src/train/data/rng.js';
import { invert, pad, scaleUp } from './helpers/transforms.js';

const CONTRACT = { ...MNIST_CONTRACT, layout: 'NCHW' as const };
const mnist = await readMnist('test');
const digit = (k: number): GrayImage => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });

/** Random pictures of every kind the fast paths must not get wrong: noise, sparse marks, flat, two levels, extremes. */
function hostile(count: number, seed: number, maxSide: number): GrayImage[] {
  const rnd = seededRandom(seed);
  const out: GrayImage[] = [];
  for (let k = 0; k < count; k++) {
    const width = 1 + Math.floor(rnd() * maxSide),
      height = 1 + Math.floor(rnd() * maxSide);
    const data = new Uint8Array(width * height);
    const bg = Math.floor(rnd() * 256),
      kind = k % 6;
    for (let i = 0; i < data.length; i++) {
      const r = rnd();
      data[i] =
        kind === 0
          ? r * 256
          : kind === 1
            ? r < 0.1
              ? 255 - bg
              : bg
            : kind === 2
              ? bg
              : kind === 3
                ? r < 0.5
                  ? 0
                  : 255
                : kind === 4
                  ? Math.max(0, Math.min(255, bg + Math.round((r - 0.5) * 12) + (rnd() < 0.05 ? 120 : 0)))
                  : Math.round(128 + 60 * Math.sin(i / 9) + r * 6);
    }
    out.push({ width, height, data });
  }
  return out;
}

/** The MNIST digits as given, inverted, padded off-centre and scaled up. */
function mnistCorpus(count: number): GrayImage[] {
  const out: GrayImage[] = [];
  for (let k = 0; k < count; k++) {
    out.push(digit(k));
    if (k % 10 === 0) out.push(invert(digit(k)), pad(digit(k), 96, 80, k % 60, k % 48, 0), scaleUp(digit(k), 3));
  }
  return out;
}

function residualsOf(img: GrayImage, bg: number): Float32Array {
  return Float32Array.from(img.data, (v) => v - bg);
}

test('level-histogram noise and polarity equal the per-pixel residual statistics of an even picture', () => {
  const pictures = [...mnistCorpus(500), ...hostile(1500, 7, 120)];
  let checked = 0;
  for (const img of pictures) {
    const n = img.width * img.height;
    if (n > NOISE_SUBSAMPLE_ABOVE) continue;
    const levels = new Uint32Array(256);
    for (const v of img.data) levels[v]++;
    // every background level, not only the border's: the equality must not depend on which one is picked
    for (const bg of [img.data[0], 0, 255, 128, img.data[n >> 1]]) {
      const residual = residualsOf(img, bg);
      const noise = residualNoise(residual, img.width, img.height);
      assert.equal(levelNoise(levels, n), noise, `noise of a ${img.width}x${img.height} picture, background ${bg}`);
      assert.equal(
        levelsInkIsDark(levels, bg, noise),
        inkIsDark(residual, noise),
        `polarity of a ${img.width}x${img.height} picture, background ${bg}`,
      );
      checked++;
    }
  }
  assert.ok(checked > 5000);
});

test('findInkTransient finds exactly what findInk finds, picture after picture of changing sizes', () => {
  const rnd = seededRandom(11);
  // large pictures take the half-size path and its full-size retry; their order mixes sizes so reused
  // buffers are both grown and handed out shorter than they are
  const large = [
    pad(scaleUp(digit(3), 4), 640, 480, 200, 100, 0),
    pad(digit(4), 500, 420, 300, 200, 0),
    pad(invert(scaleUp(digit(5), 6)), 480, 640, 50, 300, 255),
  ];
  const pictures = [...mnistCorpus(300), ...hostile(400, 3, 150), ...large];
  for (let i = pictures.length - 1; i > 0; i--) {
    const j = Math.floor(rnd() * (i + 1));
    [pictures[i], pictures[j]] = [pictures[j], pictures[i]];
  }
  for (const img of pictures) {
    const general = findInk(img);
    const fast = findInkTransient(img);
    assert.deepEqual(fast, general, `a ${img.width}x${img.height} picture`);
  }
});

test('findInk hands out arrays of its own: a later findInkTransient does not change a map already returned', () => {
  const kept = findInk(digit(0));
  assert.ok(kept.ok);
  const strength = Float32Array.from(kept.map.strength),
    labels = Int32Array.from(kept.map.labels);
  for (let k = 1; k < 20; k++) findInkTransient(digit(k));
  assert.deepEqual(kept.map.strength, strength);
  assert.deepEqual(kept.map.labels, labels);
});

test('preprocess gives the same input whatever pictures came before it', () => {
  const first = mnistCorpus(50).map((img) => preprocess(img, CONTRACT));
  for (const img of hostile(200, 5, 300)) preprocess(img, CONTRACT);
  const again = mnistCorpus(50).map((img) => preprocess(img, CONTRACT));
  assert.deepEqual(again, first);
});

test('labelling with a cut and a level histogram equals a cut pass, plain labelling and Otsu over the picture', () => {
  const rnd = seededRandom(23);
  for (let k = 0; k < 300; k++) {
    const w = 1 + Math.floor(rnd() * 70),
      h = 1 + Math.floor(rnd() * 70);
    const strength = new Float32Array(w * h);
    const density = rnd();
    for (let i = 0; i < strength.length; i++)
      if (rnd() < density) strength[i] = rnd() < 0.1 ? 300 * rnd() : 80 * rnd() * rnd();
    const cut = k % 3 === 0 ? 0 : 40 * rnd();
    const general = Float32Array.from(strength);
    for (let i = 0; i < general.length; i++) if (general[i] < cut) general[i] = 0;
    const plain = labelComponents(general, w, h);
    const fused = Float32Array.from(strength);
    const levels = new Float64Array(256);
    const map = labelComponents(fused, w, h, { cut, levels });
    assert.deepEqual(map, plain, `labels of a ${w}x${h} picture, cut ${cut}`);
    assert.deepEqual(fused, general, 'strength after the cut');
    const covered = map.components.reduce((a, c) => a + c.area, 0);
    assert.equal(otsuOfHistogram(levels, covered), otsuThreshold(general));
  }
});
