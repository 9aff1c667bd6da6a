// How a flatbed scan turns ink coverage into pixels: white paper, near-black ink keeping the pen's soft
// stroke edges, no noise, lossless PNG.
import sharp from 'sharp';
import type { Rand } from './seed.js';

/**
 * Scan a sheet whose ink coverage (0 paper .. 1 ink, `width` x `height`) is given: returns grey PNG bytes.
 * The ink's darkness is drawn from `rand`.
 */
export async function scan(coverage: Float32Array, width: number, height: number, rand: Rand): Promise<Buffer> {
  const ink = rand.uniform(10, 45);
  // Scanner exposure pushes stroke centres to full black a little sooner than MNIST's grey values do.
  const gain = rand.uniform(1, 1.25);
  const grey = Buffer.alloc(width * height);
  for (let i = 0; i < grey.length; i++) {
    const a = Math.min(1, coverage[i] * gain);
    grey[i] = Math.round(255 - (255 - ink) * a);
  }
  return sharp(grey, { raw: { width, height, channels: 1 } })
    .png()
    .toBuffer();
}
