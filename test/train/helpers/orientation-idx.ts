// A synthetic IDX data set on which the default distortions change the class: each picture is a straight
// stroke through the middle, and its label is the stroke's direction in steps of 9 degrees (0..81). A
// rotation of up to 10 degrees moves a stroke into a neighbouring class, so augmentation teaches wrong labels.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '../../../src/train/data/rng.js';

const SIDE = 28;
export const STEP_DEG = 9;

/** One stroke picture: angle in degrees, with random length, width, centre offset and faint noise. */
function stroke(angleDeg: number, rand: () => number): Uint8Array {
  const p = new Uint8Array(SIDE * SIDE);
  const a = (angleDeg * Math.PI) / 180;
  const dx = Math.cos(a),
    dy = -Math.sin(a);
  const half = 9 + rand() * 3,
    width = 0.9 + rand() * 0.6;
  const cx = 13.5 + (rand() * 2 - 1),
    cy = 13.5 + (rand() * 2 - 1);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const rx = x - cx,
        ry = y - cy;
      const along = rx * dx + ry * dy,
        across = Math.abs(-rx * dy + ry * dx);
      const ink = Math.abs(along) <= half ? Math.max(0, Math.min(1, width + 0.5 - across)) : 0;
      p[y * SIDE + x] = Math.min(255, Math.round(ink * 255 + rand() * 20));
    }
  }
  return p;
}

function idx(magic: number, dims: number[], data: Uint8Array): Buffer {
  const head = Buffer.alloc(4 + 4 * dims.length);
  head.writeUInt32BE(magic, 0);
  dims.forEach((d, i) => head.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([head, Buffer.from(data)]);
}

function part(count: number, rand: () => number): { images: Uint8Array; labels: Uint8Array } {
  const images = new Uint8Array(count * SIDE * SIDE),
    labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % 10;
    labels[i] = label;
    images.set(stroke(label * STEP_DEG + (rand() * 2 - 1) * 1.5, rand), i * SIDE * SIDE);
  }
  return { images, labels };
}

/** Write the four MNIST-named IDX files of the stroke data set into `dir`. */
export function writeOrientationIdx(dir: string, train = 6000, test = 1000, seed = 7): void {
  mkdirSync(dir, { recursive: true });
  const rand = seededRandom(seed);
  for (const [name, count] of [
    ['train', train],
    ['t10k', test],
  ] as const) {
    const { images, labels } = part(count, rand);
    writeFileSync(path.join(dir, `${name}-images-idx3-ubyte`), idx(2051, [count, SIDE, SIDE], images));
    writeFileSync(path.join(dir, `${name}-labels-idx1-ubyte`), idx(2049, [count], labels));
  }
}
