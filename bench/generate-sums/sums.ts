// Handwritten sums of 3-25 characters: numbers of 1-4 MNIST *test* digits written in this folder's styles
// (stretched, condensed, slanted, bolder or thinner, long tails, close or touching), joined by operators drawn
// by this folder's own operator code, each operator 0.3-0.8 of the digit height, above or below the middle,
// with its own pen; scanned, or photographed when the sum is short enough to fit a photo legibly.
import type { IdxDataset } from '../../src/data/idx.js';
import type { Box, GeneratedPicture } from '../generate/types.js';
import { streamFor, type Rand } from '../generate/seed.js';
import { layer, pastePatch } from '../generate-pages/canvas.js';
import { digitStyle, drawDigitPatch } from '../generate-pages/digit.js';
import { LineWriter } from '../generate-pages/line.js';
import { captureSheet, penColour, type Capture } from '../generate-pages/sheet.js';
import { CLOSE, TOUCHING } from '../generate-pages/numbers.js';
import { drawOperator, type Operator } from './operators.js';

const PHOTO_W = 640,
  PHOTO_H = 480;
/** Sums longer than this are scanned only: in a 640x480 photo their digits would be smaller than MNIST's. */
const PHOTO_MAX_CHARACTERS = 12;
const JOINERS: Operator[] = ['+', '-', '×', '÷'];

/** A generated sum and the MNIST test digits it was written with (for the model's ceiling). */
export interface SumPicture {
  picture: GeneratedPicture;
  digits: number[];
  capture: Capture;
}

/** The text of sum `index` of set `seed`: 3-25 characters, numbers of 1-4 digits, maybe a leading - and a trailing =. */
export function sumText(seed: number, index: number): string {
  const rand = streamFor('sums-text', seed, index);
  for (;;) {
    const want = rand.int(3, 25);
    const equals = rand.chance(0.5);
    let text = rand.chance(0.1) ? '-' : '';
    for (;;) {
      const digits = Math.min(rand.int(1, 4), Math.max(1, want - text.length - (equals ? 1 : 0)));
      for (let d = 0; d < digits; d++) text += String(d === 0 && digits > 1 ? rand.int(1, 9) : rand.int(0, 9));
      if (text.length + (equals ? 1 : 0) >= want - 1) break;
      text += JOINERS[rand.int(0, JOINERS.length - 1)];
    }
    if (equals) text += '=';
    if (text.length >= 3 && text.length <= 25 && /[-+×÷]\d/.test(text.slice(1))) return text;
  }
}

/** Sum `index` of set `seed` (see the file comment); deterministic in its arguments. */
export async function sumPicture(mnist: IdxDataset, seed: number, index: number): Promise<SumPicture> {
  const text = sumText(seed, index);
  const rand = streamFor('sums-picture', seed, index);
  const byLabel = labelIndex(mnist);
  const capture: Capture = text.length <= PHOTO_MAX_CHARACTERS && rand.chance(0.4) ? 'photo' : 'scan';
  let h = capture === 'scan' ? rand.uniform(28, 64) : rand.uniform(40, 90);
  if (capture === 'photo') h = Math.min(h, 560 / (0.85 * text.length + 0.5));
  const line = {
    height: h,
    slant: rand.chance(0.5) ? rand.uniform(-0.15, 0.35) : rand.uniform(-0.05, 0.08),
    pen: rand.chance(0.6) ? rand.uniform(-0.035, 0.06) * h : 0,
  };
  // one writer keeps one way of writing operators for the whole sum, as people do
  const opPen = [0.04, 0.07, 0.12, rand.uniform(0.17, 0.25)][rand.int(0, 3)] * h;
  const sketchy = rand.chance(0.2);
  const writer = new LineWriter(h);
  const digits: number[] = [];
  let prevDigit = false;
  for (const ch of text) {
    if (/\d/.test(ch)) {
      const pool = byLabel[Number(ch)];
      const k = pool[rand.int(0, pool.length - 1)];
      digits.push(k);
      const patch = drawDigitPatch(mnist, k, digitStyle(rand, Number(ch), line));
      const r = rand();
      const gap = !prevDigit
        ? rand.uniform(0.1, 0.45) * h
        : r < TOUCHING
          ? -rand.int(1, Math.max(1, Math.round(0.025 * h)))
          : r < TOUCHING + CLOSE
            ? rand.uniform(0, 0.06 * h)
            : rand.uniform(0.08, 0.4) * h;
      writer.write(patch, writer.placed.length ? gap : 0, rand.uniform(-0.04, 0.04) * h);
      prevDigit = true;
    } else {
      const size = rand.uniform(0.3, 0.8) * h;
      const patch = drawOperator(ch as Operator, rand, size, Math.max(1, Math.min(opPen, 0.45 * size)), sketchy);
      writer.write(patch, rand.uniform(0.1, 0.5) * h, (0.5 + rand.uniform(-0.2, 0.2)) * h);
      prevDigit = false;
    }
  }
  const b = writer.bounds();
  const inkW = b.x1 - b.x0 + 1,
    inkH = b.y1 - b.y0 + 1;
  const m = (lo: number, hi: number) => Math.round(rand.uniform(lo, hi) * h);
  let width = inkW + m(0.3, 1.2) * 2,
    height = inkH + m(0.3, 1) * 2;
  let ox = Math.round((width - inkW) / 2) - b.x0,
    oy = Math.round((height - inkH) / 2) - b.y0;
  if (capture === 'photo') {
    width = PHOTO_W;
    height = PHOTO_H;
    ox = Math.round(rand.uniform(0.04 * width, Math.max(0.04 * width, 0.96 * width - inkW))) - b.x0;
    oy = Math.round(rand.uniform(0.06 * height, Math.max(0.06 * height, 0.94 * height - inkH))) - b.y0;
  }
  const writing = layer(width, height);
  const boxes: Box[] = writer.placed.map(({ patch, x, y }) => {
    pastePatch(writing, patch, x + ox, y + oy);
    return {
      x: x + ox + patch.x0,
      y: y + oy + patch.y0,
      width: patch.x1 - patch.x0 + 1,
      height: patch.y1 - patch.y0 + 1,
    };
  });
  const bytes = await captureSheet([{ layer: writing, rgb: penColour(rand) }], capture, rand);
  return {
    picture: { bytes, format: capture === 'scan' ? 'png' : 'jpeg', text, boxes, width, height },
    digits,
    capture,
  };
}

const byLabelCache = new WeakMap<IdxDataset, number[][]>();

/** The test digits of each label. */
function labelIndex(mnist: IdxDataset): number[][] {
  let out = byLabelCache.get(mnist);
  if (!out) {
    out = Array.from({ length: 10 }, () => [] as number[]);
    for (let k = 0; k < mnist.count; k++) out[mnist.labels[k]].push(k);
    byLabelCache.set(mnist, out);
  }
  return out;
}

export type { Rand };
