/**
 * `read --debug-dir`: one PNG per picture showing what the reader did: the picture with a box around each
 * character read (and, in blue, the lines of a sheet or a form taken out), and under it the inputs the network
 * saw, enlarged, in reading order.
 */
import { createHash } from 'node:crypto';
import path from 'node:path';
import sharp from 'sharp';
import { writeFileNoFollow } from '../fs/folder-file.js';
import type { InputContract } from '../runtime/contract.js';
import type { ReadRow } from '../runtime/node/read.js';
import { drawRules } from './read-debug-rules.js';

const INPUT_SCALE = 3;
const GAP = 4;
const BOX_COLOUR = [230, 40, 40];

/** Longest piece of the picture's name kept in a debug file's name (file systems allow 255 bytes). */
const NAME_PIECE = 100;

/**
 * The debug file name for the `index`-th picture, unique within the folder: its index, then its name in ASCII
 * letters, digits, `.`, `-` and `_`. A name longer than {@link NAME_PIECE} keeps its start and gets a hash of
 * the whole, so two long names that start alike still get two files.
 */
export function debugFileName(index: number, picture: string): string {
  let base = path.basename(picture).replace(/[^\w.-]+/g, '_');
  if (base.length > NAME_PIECE) {
    const hash = createHash('sha256').update(path.basename(picture)).digest('hex').slice(0, 12);
    base = `${base.slice(0, NAME_PIECE - 13)}~${hash}`;
  }
  return `${String(index).padStart(5, '0')}-${base}.png`;
}

/**
 * Write the debug picture of `row` (which must carry `debug`) as `name` in `dir`, never through a link planted
 * there (see writeFileNoFollow).
 */
export async function writeDebugPicture(
  dir: string,
  name: string,
  row: ReadRow,
  contract: InputContract,
): Promise<void> {
  const { image, inputs } = row.debug!;
  const cw = contract.width * INPUT_SCALE,
    ch = contract.height * INPUT_SCALE;
  const width = Math.max(image.width, inputs.length * (cw + GAP));
  const height = image.height + GAP + ch;
  const rgb = new Uint8Array(width * height * 3).fill(255);
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      const v = image.data[y * image.width + x];
      rgb.fill(v, (y * width + x) * 3, (y * width + x) * 3 + 3);
    }
  }
  const put = (x: number, y: number, c: number[]) => {
    if (x < 0 || y < 0 || x >= width || y >= height) return;
    rgb.set(c, (y * width + x) * 3);
  };
  drawRules(put, row.debug!.rules ?? []);
  for (const d of row.digits) {
    const { x, y, width: w, height: h } = d.box;
    for (let t = 0; t < 2; t++) {
      for (let i = x - t; i <= x + w - 1 + t; i++) {
        put(i, y - t, BOX_COLOUR);
        put(i, y + h - 1 + t, BOX_COLOUR);
      }
      for (let j = y - t; j <= y + h - 1 + t; j++) {
        put(x - t, j, BOX_COLOUR);
        put(x + w - 1 + t, j, BOX_COLOUR);
      }
    }
  }
  const [lo, hi] = contract.pixelRange;
  inputs.forEach((input, k) => {
    const ox = k * (cw + GAP),
      oy = image.height + GAP;
    for (let y = 0; y < ch; y++) {
      for (let x = 0; x < cw; x++) {
        const v = input[Math.floor(y / INPUT_SCALE) * contract.width + Math.floor(x / INPUT_SCALE)];
        const level = Math.round(255 * Math.min(1, Math.max(0, (v - lo) / (hi - lo))));
        put(ox + x, oy + y, [level, level, level]);
      }
    }
  });
  const png = await sharp(rgb, { raw: { width, height, channels: 3 } })
    .png()
    .toBuffer();
  await writeFileNoFollow(dir, name, png);
}
