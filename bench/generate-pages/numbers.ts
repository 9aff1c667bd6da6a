// Numbers written by other hands on real paper: 2-7 MNIST *test* digits, each stretched or condensed, slanted,
// bolder or thinner, some with long tails, written close or into each other; on a plain sheet, in a form
// field's box, in a form's comb of boxes (one digit in each), underlined, on ruled paper, on squared paper, or on
// ruled paper with a margin line; scanned or photographed. Composition, paper and capture are this folder's own code, not bench/generate's.
import type { IdxDataset } from '../../src/data/idx.js';
import type { Box, GeneratedPicture } from '../generate/types.js';
import { streamFor, type Rand } from '../generate/seed.js';
import { layer, pastePatch, ruledLine, ruledSegment, stroke, type Layer, type PenPoint } from './canvas.js';
import { digitStyle, drawDigitPatch } from './digit.js';
import { LineWriter } from './line.js';
import { captureSheet, penColour, type Capture, type Print } from './sheet.js';

/** What the number is written on. */
export const PAPERS = ['plain', 'box', 'underline', 'ruled', 'squared', 'margin', 'comb'] as const;
export type Paper = (typeof PAPERS)[number];

const DEG = Math.PI / 180;
/** Share of neighbouring digits written into each other, and of those written close (under 0.06 heights apart). */
export const TOUCHING = 0.08,
  CLOSE = 0.2;
const PHOTO_W = 640,
  PHOTO_H = 480;

/** A generated number and the MNIST test digits it was written with (for the model's ceiling). */
export interface PageNumber {
  picture: GeneratedPicture;
  digits: number[];
  paper: Paper;
  capture: Capture;
}

/** The MNIST test digits number `index` of set `seed` writes (the same on every paper). */
export function pageNumberDigits(mnist: IdxDataset, seed: number, index: number): number[] {
  const what = streamFor('pages-number', seed, index);
  const n = what.int(2, 7);
  return Array.from({ length: n }, () => Math.floor(what() * mnist.count));
}

/** Picture `index` of the set `seed` on `paper` (see the file comment); deterministic in its arguments. */
export async function pageNumber(mnist: IdxDataset, seed: number, index: number, paper: Paper): Promise<PageNumber> {
  if (!PAPERS.includes(paper))
    throw new RangeError(`pageNumber: paper must be one of ${PAPERS.join(', ')}, got '${paper}'`);
  const digits = pageNumberDigits(mnist, seed, index);
  // The writing (hand, size, capture) is the same on every paper, so the sets differ by the paper alone.
  const hand = streamFor('pages-writing', seed, index);
  const rand = streamFor(`pages-${paper}`, seed, index);
  const capture: Capture = hand.chance(0.5) ? 'scan' : 'photo';
  const n = digits.length;
  let h = capture === 'scan' ? hand.uniform(28, 70) : hand.uniform(40, 100);
  if (capture === 'photo') h = Math.min(h, 470 / (0.9 * n + 1.2));
  const lineStyle = {
    height: h,
    slant: hand.chance(0.5) ? hand.uniform(-0.15, 0.35) : hand.uniform(-0.05, 0.08),
    pen: hand.chance(0.6) ? hand.uniform(-0.035, 0.06) * h : 0,
  };
  const drawn = digits.map((k) => {
    const patch = drawDigitPatch(mnist, k, digitStyle(hand, mnist.labels[k], lineStyle));
    const r = hand();
    const gap =
      r < TOUCHING
        ? -hand.int(1, Math.max(1, Math.round(0.03 * h)))
        : r < TOUCHING + CLOSE
          ? hand.uniform(0, 0.06 * h)
          : hand.uniform(0.08, 0.45) * h;
    return { patch, gap, lift: hand.uniform(-0.04, 0.04) * h };
  });
  // In a comb each digit is written in the middle of a box of its own, and the boxes are as wide as the
  // widest digit needs, or wider.
  const widest = Math.max(...drawn.map(({ patch }) => patch.x1 - patch.x0 + 1));
  let cell = paper === 'comb' ? Math.round(Math.max(0.75 * h, widest) * rand.uniform(1.1, 1.45)) : 0;
  // a photographed comb stays in the photo, its boxes narrower than the digits if need be
  if (cell && capture === 'photo') cell = Math.min(cell, Math.floor((PHOTO_W - h) / n));
  const writer = new LineWriter(h);
  drawn.forEach(({ patch, gap, lift }, i) => writer.write(patch, gap, lift, cell ? i * cell : undefined));
  const b = writer.bounds();
  const text = digits.map((k) => String(mnist.labels[k])).join('');

  // margins around the writing, by paper: room for a box, the lines around, a margin line
  const m = (lo: number, hi: number) => Math.round(rand.uniform(lo, hi) * h);
  let left = m(0.3, 1.4),
    right = m(0.3, 1.4),
    top = m(0.3, 1.1),
    bottom = m(0.3, 1.1);
  if (paper === 'box') [left, right, top, bottom] = [m(0.5, 1.3), m(0.5, 1.3), m(0.5, 1.1), m(0.5, 1.1)];
  if (paper === 'ruled' || paper === 'squared' || paper === 'margin') [top, bottom] = [m(0.8, 2), m(0.8, 2)];
  if (paper === 'margin') left = m(0.9, 2.2);
  if (paper === 'comb') {
    // room for the half-cells beside the first and the last digit
    const half = (w: number) => Math.ceil((cell - w) / 2);
    const first = drawn[0].patch,
      last = drawn[n - 1].patch;
    [left, right] = [m(0.2, 1) + half(first.x1 - first.x0 + 1), m(0.2, 1) + half(last.x1 - last.x0 + 1)];
  }
  const inkW = b.x1 - b.x0 + 1,
    inkH = b.y1 - b.y0 + 1;
  let width = inkW + left + right,
    height = inkH + top + bottom;
  let ox = left - b.x0,
    oy = top - b.y0;
  if (capture === 'photo') {
    width = PHOTO_W;
    height = PHOTO_H;
    ox = Math.round(rand.uniform(Math.min(left, width - inkW - right), Math.max(left, width - inkW - right))) - b.x0;
    oy = Math.round(rand.uniform(Math.min(top, height - inkH - bottom), Math.max(top, height - inkH - bottom))) - b.y0;
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
  const ink = { x0: b.x0 + ox, y0: b.y0 + oy, x1: b.x1 + ox, y1: b.y1 + oy, baseline: b.baseline + oy };
  const pen = penColour(hand);
  const comb = cell ? { x0: ox - cell / 2, cell, cells: n } : undefined;
  const prints = paperPrints(paper, rand, width, height, ink, h, capture, pen, comb);
  prints.push({ layer: writing, rgb: pen });
  const bytes = await captureSheet(prints, capture, rand);
  return {
    picture: { bytes, format: capture === 'scan' ? 'png' : 'jpeg', text, boxes, width, height },
    digits,
    paper,
    capture,
  };
}

/** The printed (or ruled) marks of `paper` around writing whose ink box and baseline are `ink`. */
function paperPrints(
  paper: Paper,
  rand: Rand,
  width: number,
  height: number,
  ink: { x0: number; y0: number; x1: number; y1: number; baseline: number },
  h: number,
  capture: Capture,
  pen: [number, number, number],
  comb?: { x0: number; cell: number; cells: number },
): Print[] {
  const thick = (lo: number, hi: number) => Math.max(1, Math.min(4, rand.uniform(lo, hi) * (h / 40)));
  const tilt = (capture === 'photo' ? rand.uniform(-1.5, 1.5) : rand.uniform(-0.3, 0.3)) * DEG;
  // printed lines are a fraction of the paper's brightness: pale blue or grey
  const light = (): Print => {
    const g = rand.uniform(0.55, 0.85);
    const rgb: [number, number, number] = rand.chance(0.5) ? [g * 0.85, g * 0.93, Math.min(1, g * 1.1)] : [g, g, g];
    return { layer: layer(width, height), rgb, relative: true };
  };
  const out: Print[] = [];
  if (paper === 'box') {
    const l = layer(width, height);
    const small = rand.chance(0.25);
    const pad = (lo: number, hi: number) => (small ? rand.uniform(0, 0.05) : rand.uniform(lo, hi)) * h;
    const x0 = ink.x0 - pad(0.08, 0.6),
      x1 = ink.x1 + pad(0.08, 0.6),
      y0 = ink.y0 - pad(0.06, 0.45),
      y1 = Math.max(ink.y1, ink.baseline) + pad(0.06, 0.4);
    const t = thick(0.6, 2.2);
    const corners: [number, number][] = [
      [x0, y0],
      [x1, y0],
      [x1, y1],
      [x0, y1],
    ];
    for (let i = 0; i < 4; i++) {
      const [ax, ay] = corners[i],
        [bx, by] = corners[(i + 1) % 4];
      ruledSegment(l, ax, ay, bx, by, t, 1);
    }
    const g = rand.chance(0.6) ? rand.uniform(0, 60) : rand.uniform(90, 150);
    out.push({ layer: l, rgb: [g, g, g] });
  } else if (paper === 'comb' && comb) {
    // a form's row of boxes, printed: the writing may stand taller than its boxes, or shorter
    const l = layer(width, height);
    const y0 = ink.y0 + rand.uniform(-0.3, 0.12) * h,
      y1 = ink.baseline + rand.uniform(-0.08, 0.3) * h;
    const x1 = comb.x0 + comb.cells * comb.cell;
    const t = thick(0.6, 2.2);
    ruledSegment(l, comb.x0, y0, x1, y0, t, 1);
    ruledSegment(l, comb.x0, y1, x1, y1, t, 1);
    for (let c = 0; c <= comb.cells; c++) {
      const x = comb.x0 + c * comb.cell;
      ruledSegment(l, x, y0, x, y1, t, 1);
    }
    const g = rand.chance(0.6) ? rand.uniform(0, 60) : rand.uniform(90, 150);
    out.push({ layer: l, rgb: [g, g, g] });
  } else if (paper === 'underline') {
    const l = layer(width, height);
    const y = ink.baseline + rand.uniform(0.03, 0.3) * h;
    const x0 = ink.x0 - rand.uniform(0, 0.3) * h,
      x1 = ink.x1 + rand.uniform(0, 0.4) * h;
    if (rand.chance(0.5)) {
      ruledSegment(l, x0, y, x1, y + (x1 - x0) * Math.tan(tilt), thick(0.6, 2.2), 1);
      const g = rand.uniform(0, 80);
      out.push({ layer: l, rgb: [g, g, g] });
    } else {
      // drawn by hand with the writer's pen: a gentle bow, a little tremor
      const w = rand.uniform(0.05, 0.11) * h;
      const bow = rand.uniform(-0.06, 0.06) * h,
        slope = rand.uniform(-2, 2) * DEG;
      const pts: PenPoint[] = [];
      for (let i = 0; i <= 12; i++) {
        const t = i / 12;
        const x = x0 + t * (x1 - x0);
        pts.push({ x, y: y + (x - x0) * Math.tan(slope) + bow * 4 * t * (1 - t) + rand.uniform(-0.3, 0.3), w });
      }
      stroke(l, pts, rand.uniform(0.85, 1));
      out.push({ layer: l, rgb: pen });
    }
  } else if (paper === 'ruled' || paper === 'margin') {
    const print = light();
    const l = print.layer;
    const spacing = rand.uniform(1.3, 2.2) * h;
    const start = ink.baseline + rand.uniform(-0.1, 0.12) * h;
    const t = thick(0.5, 1.4);
    const cx = (ink.x0 + ink.x1) / 2;
    for (let y = start - spacing * Math.ceil(start / spacing + 1); y < height + spacing; y += spacing)
      ruledLine(l, cx, y, tilt, t, 1);
    out.push(print);
    if (paper === 'margin') {
      const ml = layer(width, height);
      const x = ink.x0 - rand.uniform(0.15, 1.2) * h;
      const mt = thick(0.8, 2.2);
      ruledLine(ml, x, height / 2, 90 * DEG + tilt, mt, 1);
      if (rand.chance(0.25)) ruledLine(ml, x - rand.uniform(2, 5) - mt, height / 2, 90 * DEG + tilt, mt, 1);
      const red: [number, number, number] = [rand.uniform(0.8, 1), rand.uniform(0.25, 0.5), rand.uniform(0.3, 0.55)];
      out.push({ layer: ml, rgb: red, relative: true });
    }
  } else if (paper === 'squared') {
    const print = light();
    const l = print.layer;
    const cell = rand.uniform(0.45, 1.0) * h;
    const t = thick(0.5, 1.3);
    const sx = rand.uniform(0, cell),
      sy = rand.uniform(0, cell);
    for (let y = sy - cell; y < height + cell; y += cell) ruledLine(l, width / 2, y, tilt, t, 1);
    for (let x = sx - cell; x < width + cell; x += cell) ruledLine(l, x, height / 2, 90 * DEG + tilt, t, 1);
    out.push(print);
  }
  if (out.length === 0) out.push({ layer: layer(width, height), rgb: [0, 0, 0] });
  return out;
}

export type { Layer };
