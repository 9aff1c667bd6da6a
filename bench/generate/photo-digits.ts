// Single handwritten digits as a phone photographs them: one MNIST test digit, magnified, turned a little,
// placed anywhere on a sheet two to three times its size (sometimes a full 640x480 frame).
import type { IdxDataset } from '../../src/data/idx.js';
import { drawDigit, paste, renderDigit } from './ink.js';
import { photograph } from './photo.js';
import { streamFor } from './seed.js';
import type { GeneratedPicture } from './types.js';

const DEG = Math.PI / 180;

/**
 * Photo-like picture number `index` of the set `seed`: a JPEG of one MNIST test digit (drawn at random
 * from `mnist`) written dark on tinted, unevenly lit paper, magnified 3-7x, turned up to 10 degrees either
 * way and placed off-centre. The same (`seed`, `index`) always gives the same bytes.
 */
/** The MNIST test digit picture number `index` of the set `seed` shows (see {@link photoDigit}). */
export function photoDigitIndex(mnist: IdxDataset, seed: number, index: number): number {
  return drawDigit(mnist, streamFor('photo-digit', seed, index));
}

export async function photoDigit(mnist: IdxDataset, seed: number, index: number): Promise<GeneratedPicture> {
  const rand = streamFor('photo-digit', seed, index);
  const k = drawDigit(mnist, rand);
  const scale = rand.uniform(3, 7);
  const patch = renderDigit(mnist, k, scale, rand.uniform(-10, 10) * DEG);
  const field = mnist.rows * scale; // the magnified 28-pixel field, the "digit size" people frame
  let width: number, height: number;
  if (rand.chance(0.25)) {
    width = 640;
    height = 480;
  } else {
    height = Math.round(field * rand.uniform(2, 3));
    width = Math.round(height * rand.uniform(1, 4 / 3));
  }
  const margin = Math.round(0.08 * field);
  const x = rand.uniform(margin, Math.max(margin, width - margin - patch.ink.width));
  const y = rand.uniform(margin, Math.max(margin, height - margin - patch.ink.height));
  const coverage = new Float32Array(width * height);
  const box = paste(coverage, width, height, patch, x, y);
  const bytes = await photograph(coverage, width, height, rand);
  return { bytes, format: 'jpeg', text: String(mnist.labels[k]), boxes: [box], width, height };
}
