// Numbers of several handwritten digits on one line, photographed (640x480 JPEG) or scanned (clean PNG).
import type { IdxDataset } from '../../src/data/idx.js';
import { drawDigit } from './ink.js';
import { layoutLine, pasteLine, type Line } from './line.js';
import { photograph } from './photo.js';
import { scan } from './scan.js';
import { streamFor, type Rand } from './seed.js';
import type { GeneratedPicture } from './types.js';

const DEG = Math.PI / 180;
const PHOTO_WIDTH = 640;
const PHOTO_HEIGHT = 480;
/** Share of numbers in which one pair of neighbouring digits touch. */
export const TOUCHING_SHARE = 0.1;

/**
 * Picture number `index` of the set `seed`: a number of `minDigits`..`maxDigits` (default 2..7) MNIST test
 * digits written on a line. `style` 'photo' is a 640x480 JPEG as in `photoDigit`; 'scan' is a grey PNG of
 * dark ink on white with digits 40-80 px tall and a white margin. Which digits, and whether two of them
 * touch, depends only on (`seed`, `index`, the digit range), so both styles of one item show the same number.
 */
export async function numberPicture(
  mnist: IdxDataset,
  seed: number,
  index: number,
  style: 'photo' | 'scan',
  opts: { minDigits?: number; maxDigits?: number } = {},
): Promise<GeneratedPicture> {
  const { digits, touching } = numberDigits(mnist, seed, index, opts);
  const text = digits.map((k) => mnist.labels[k]).join('');
  return style === 'photo'
    ? photoNumber(mnist, digits, touching, text, streamFor('number-photo', seed, index))
    : scanNumber(mnist, digits, touching, text, streamFor('number-scan', seed, index));
}

/**
 * Which MNIST test digits picture number `index` of the set `seed` writes, and which of them touches its
 * right-hand neighbour (-1 for none); see {@link numberPicture}.
 */
export function numberDigits(
  mnist: IdxDataset,
  seed: number,
  index: number,
  opts: { minDigits?: number; maxDigits?: number } = {},
): { digits: number[]; touching: number } {
  const minDigits = opts.minDigits ?? 2;
  const maxDigits = opts.maxDigits ?? 7;
  if (!Number.isInteger(minDigits) || !Number.isInteger(maxDigits) || minDigits < 1 || maxDigits < minDigits) {
    throw new RangeError(`numberPicture: need integers 1 <= minDigits <= maxDigits, got ${minDigits}..${maxDigits}`);
  }
  const what = streamFor('number', seed, index);
  const n = what.int(minDigits, maxDigits);
  const digits = Array.from({ length: n }, () => drawDigit(mnist, what));
  const touching = n > 1 && what.chance(TOUCHING_SHARE) ? what.int(0, n - 2) : -1;
  return { digits, touching };
}

async function photoNumber(
  mnist: IdxDataset,
  digits: number[],
  touching: number,
  text: string,
  rand: Rand,
): Promise<GeneratedPicture> {
  const tilt = rand.uniform(-3, 3) * DEG;
  const wobble = 4 * DEG;
  let digitHeight = rand.uniform(60, 130);
  let line = layoutLine(mnist, digits, { digitHeight, tilt, wobble, touching }, rand);
  // A long number is written (or framed) smaller so it fits the frame; lay it out again at the size that fits.
  const room = Math.min((0.88 * PHOTO_WIDTH) / line.width, (0.8 * PHOTO_HEIGHT) / line.height);
  if (room < 1) {
    digitHeight *= room * 0.98;
    line = layoutLine(mnist, digits, { digitHeight, tilt, wobble, touching }, rand);
  }
  const coverage = new Float32Array(PHOTO_WIDTH * PHOTO_HEIGHT);
  const boxes = placeLine(coverage, PHOTO_WIDTH, PHOTO_HEIGHT, line, rand);
  const bytes = await photograph(coverage, PHOTO_WIDTH, PHOTO_HEIGHT, rand);
  return { bytes, format: 'jpeg', text, boxes, width: PHOTO_WIDTH, height: PHOTO_HEIGHT };
}

async function scanNumber(
  mnist: IdxDataset,
  digits: number[],
  touching: number,
  text: string,
  rand: Rand,
): Promise<GeneratedPicture> {
  // Scans sit nearly straight on the glass; the handwriting keeps its own slant wobble.
  const line = layoutLine(
    mnist,
    digits,
    { digitHeight: rand.uniform(40, 80), tilt: rand.uniform(-1, 1) * DEG, wobble: 3 * DEG, touching },
    rand,
  );
  const left = rand.int(20, 90),
    right = rand.int(20, 90),
    top = rand.int(15, 60),
    bottom = rand.int(15, 60);
  const width = line.width + left + right;
  const height = line.height + top + bottom;
  const coverage = new Float32Array(width * height);
  const boxes = pasteLine(coverage, width, height, line, left, top);
  const bytes = await scan(coverage, width, height, rand);
  return { bytes, format: 'png', text, boxes, width, height };
}

/** Put the line anywhere in the frame that keeps a small margin, so it is rarely centred. */
function placeLine(coverage: Float32Array, width: number, height: number, line: Line, rand: Rand) {
  const mx = 0.04 * width,
    my = 0.06 * height;
  const x = rand.uniform(mx, Math.max(mx, width - mx - line.width));
  const y = rand.uniform(my, Math.max(my, height - my - line.height));
  return pasteLine(coverage, width, height, line, Math.round(x), Math.round(y));
}
