import type { GrayImage } from '../../../src/runtime/preprocess.js';

/** A picture of dark rectangles (ink 20) on white (250): each block is [x, y, width, height]. */
export function blocksPicture(
  width: number,
  height: number,
  blocks: Array<[number, number, number, number]>,
): GrayImage {
  const data = new Uint8Array(width * height).fill(250);
  for (const [bx, by, bw, bh] of blocks)
    for (let y = by; y < by + bh; y++) data.fill(20, y * width + bx, y * width + bx + bw);
  return { width, height, data };
}
