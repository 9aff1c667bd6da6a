// PNG rows undone as they come out of the inflater (large and 16-bit PNGs) against the same pictures undone whole,
// and against pngjs: the same bytes, whatever the filters, colour types, depths and the way the data is cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { decodePicture, PNG_STREAM_FROM_BYTES } from '../../src/runtime/node/images.js';
import { streamPngRows, unfilterImage, type PngRowShape } from '../../src/runtime/node/png-rows.js';
import { rgbaToGray } from '../../src/runtime/preprocess.js';
import { ihdr, pngFromChunks } from '../hostile/helpers.js';

const COLOUR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

function random(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296;
}

/** Samples (bytes at `depth`) with smooth runs and jumps, so every filter's prediction carries and wraps. */
function samples(rowBytes: number, height: number, rnd: () => number): Uint8Array {
  const b = new Uint8Array(rowBytes * height);
  for (let i = 0; i < b.length; i++) b[i] = rnd() < 0.3 ? Math.floor(rnd() * 256) : (i * 3) % 256;
  return b;
}

/** Filter each row with the type `filterOf(y)` (PNG's five predictors, written plainly), each led by its byte. */
function filtered(px: Uint8Array, rowBytes: number, height: number, bpp: number, filterOf: (y: number) => number) {
  const out = new Uint8Array((rowBytes + 1) * height);
  const at = (y: number, x: number) => (y < 0 || x < 0 ? 0 : px[y * rowBytes + x]);
  for (let y = 0; y < height; y++) {
    const f = filterOf(y);
    out[y * (rowBytes + 1)] = f;
    for (let x = 0; x < rowBytes; x++) {
      const a = at(y, x - bpp),
        u = at(y - 1, x),
        c = at(y - 1, x - bpp);
      const p = a + u - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - u) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - u) <= Math.abs(p - c)
            ? u
            : c;
      const pred = [0, a, u, (a + u) >> 1, paeth][f];
      out[y * (rowBytes + 1) + 1 + x] = (at(y, x) - pred) & 0xff;
    }
  }
  return out;
}

/** `data` deflated and cut into IDAT pieces of about `piece` bytes. */
function idatPieces(data: Uint8Array, piece: number): Uint8Array[] {
  const z = deflateSync(data);
  const out: Uint8Array[] = [];
  for (let i = 0; i < z.length; i += piece) out.push(z.subarray(i, i + piece));
  return out;
}

test('rows undone as they are inflated equal the image undone whole: every filter, colour type and cut', async () => {
  const rnd = random(7);
  for (let k = 0; k < 60; k++) {
    const channels = 1 + (k % 4);
    const shape: PngRowShape = {
      width: 1 + Math.floor(rnd() * 70),
      height: 1 + Math.floor(rnd() * 30),
      channels,
      depth: 8,
    };
    const rowBytes = shape.width * channels;
    const px = samples(rowBytes, shape.height, rnd);
    const raw = filtered(px, rowBytes, shape.height, channels, (y) => (y + k) % 5);
    const whole = unfilterImage(raw, shape);
    assert.deepEqual(whole, px, `whole, case ${k}`);
    for (const piece of [1, 7, 1 << 20]) {
      const rows = await streamPngRows(idatPieces(raw, piece), raw.length, shape);
      assert.deepEqual(rows, px, `rows, case ${k}, IDAT pieces of ${piece} bytes`);
    }
  }
});

test('16-bit PNGs of every colour type decode as pngjs decodes them', async () => {
  const rnd = random(11);
  for (let k = 0; k < 24; k++) {
    const channels = 1 + (k % 4);
    const width = 1 + Math.floor(rnd() * 40),
      height = 1 + Math.floor(rnd() * 20);
    const rowBytes = width * channels * 2;
    const raw = filtered(samples(rowBytes, height, rnd), rowBytes, height, channels * 2, (y) => (y * 3 + k) % 5);
    const png = pngFromChunks([
      ['IHDR', ihdr(width, height, 16, COLOUR_TYPE[channels])],
      ['IDAT', deflateSync(raw)],
      ['IEND', Buffer.alloc(0)],
    ]);
    const ref = PNG.sync.read(png);
    const got = await decodePicture(png);
    const want = rgbaToGray(ref.data, width, height, 4);
    assert.deepEqual(got.data, want.data, `${width}x${height}, ${channels} channels`);
  }
});

test('an 8-bit PNG too large to inflate whole is decoded row by row to the same pixels', async () => {
  const width = 1600,
    height = Math.ceil(PNG_STREAM_FROM_BYTES / (width * 4)) + 8;
  const png = new PNG({ width, height });
  const rnd = random(3);
  for (let i = 0; i < png.data.length; i += 4) png.data.set([i % 251, (i >> 8) % 256, Math.floor(rnd() * 256), 255], i);
  const bytes = PNG.sync.write(png, { colorType: 6, filterType: -1 });
  const got = await decodePicture(bytes);
  assert.deepEqual(got.data, rgbaToGray(PNG.sync.read(bytes).data, width, height, 4).data);
});

test('row by row, data that ends early or inflates past its header is refused with the same words', async () => {
  const shape: PngRowShape = { width: 300, height: 200, channels: 1, depth: 16 };
  const rowBytes = 600;
  const raw = filtered(samples(rowBytes, 200, random(5)), rowBytes, 200, 2, () => 2);
  await assert.rejects(streamPngRows(idatPieces(raw.subarray(0, raw.length - 601), 4096), raw.length, shape), {
    name: 'PictureError',
    message: /corrupt or truncated PNG \(image data holds \d+ bytes, \d+ needed\)/,
  });
  const longer = new Uint8Array(raw.length + 601 * 50);
  longer.set(raw);
  await assert.rejects(streamPngRows(idatPieces(longer, 4096), raw.length, shape), {
    name: 'PictureError',
    message: /inflates past the \d+ bytes its 300x200 header allows/,
  });
  const badFilter = Uint8Array.from(raw);
  badFilter[601 * 7] = 9;
  await assert.rejects(streamPngRows(idatPieces(badFilter, 4096), raw.length, shape), {
    name: 'PictureError',
    message: /row 7 has filter type 9/,
  });
  await assert.rejects(streamPngRows([Uint8Array.from([1, 2, 3, 4, 5])], raw.length, shape), {
    name: 'PictureError',
    message: /corrupt or truncated PNG/,
  });
});
