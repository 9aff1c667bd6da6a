// A picture's header against its data, its side lengths and its EXIF orientation: what decodePicture refuses
// before decoding, and how it turns a photo upright.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePicture, PictureError } from '../../src/runtime/node/images.js';
import type { GrayImage } from '../../src/runtime/preprocess.js';
import { EXIF_ORIENTATIONS, orientedJpeg, orientedPng, orientedTiff, uprightOf } from './helpers/orientation.js';
import { jpegClaiming, pngBytes } from './helpers/files.js';

async function refused(bytes: Uint8Array, re: RegExp, what: string): Promise<void> {
  await assert.rejects(decodePicture(bytes), (e: Error) => {
    assert.ok(e instanceof PictureError, `${what}: ${e.stack}`);
    assert.match(e.message, re, what);
    assert.doesNotMatch(e.message, /\n/, what);
    return true;
  });
}

test('a small JPEG claiming 7000x7000 is refused from its size before decoding, not read from garbage', async () => {
  const bytes = await jpegClaiming(7000, 7000);
  assert.ok(bytes.length < 4096);
  const rss0 = process.memoryUsage().rss;
  const t0 = performance.now();
  await refused(
    bytes,
    /^truncated JPEG: the header says 7000x7000, which needs at least \d+ bytes of data; the file has \d+/,
    '7000x7000',
  );
  assert.ok(performance.now() - t0 < 100, `refusing took ${performance.now() - t0} ms: it decoded`);
  assert.ok(process.memoryUsage().rss - rss0 < 50e6, 'refusing must not allocate the claimed picture');
});

test('a JPEG whose data ends before its picture does (data segment cut short) is refused', async () => {
  // 300x300 needs 1,444 blocks, at least 181 bytes at one bit each: the 64x64 file's bytes pass that bound,
  // so it is libjpeg's own "premature end of data segment" that must refuse it
  const bytes = await jpegClaiming(300, 300);
  assert.ok(bytes.length > 181);
  await refused(bytes, /corrupt or truncated JPEG/, '300x300');
});

test('a PNG whose compressed data is too small for its header is refused before inflating', async () => {
  // a real PNG of 6000x6000 blank gray pixels, its IDAT data replaced by a few bytes (CRCs fixed)
  const blank = pngBytes({ width: 1, height: 1, data: Uint8Array.of(255) });
  const b = Uint8Array.from(blank);
  const dv = new DataView(b.buffer);
  dv.setUint32(16, 6000);
  dv.setUint32(20, 6000);
  const { crc32 } = await import('node:zlib');
  dv.setUint32(29, crc32(b.subarray(12, 29)));
  await refused(
    b,
    /^truncated PNG: the header says 6000x6000, which needs at least \d+ bytes of compressed data/,
    'png',
  );
});

test('pictures far too long or too thin are refused from their header (a 100000x1 strip is not read)', async () => {
  for (const [w, h] of [
    [100000, 1],
    [1, 100000],
    [40000, 40],
    [3000, 2],
  ]) {
    const strip = pngBytes({ width: w, height: h, data: new Uint8Array(w * h).fill(200) });
    await refused(strip, new RegExp(`PNG header says ${w}x${h}: (a side over|sides in a ratio over)`), `${w}x${h}`);
  }
  // a long line of digits is no strip
  const line = await decodePicture(pngBytes({ width: 1200, height: 40, data: new Uint8Array(1200 * 40).fill(255) }));
  assert.deepEqual([line.width, line.height], [1200, 40]);
});

function sameWithin(got: GrayImage, want: GrayImage, tolerance: number, what: string): void {
  assert.deepEqual([got.width, got.height], [want.width, want.height], `${what}: size`);
  let sad = 0;
  for (let i = 0; i < want.data.length; i++) sad += Math.abs(got.data[i] - want.data[i]);
  assert.ok(sad / want.data.length <= tolerance, `${what}: mean abs difference ${sad / want.data.length}`);
}

test('every EXIF orientation is honoured: PNG (eXIf), JPEG and TIFF decode upright', async () => {
  for (const o of EXIF_ORIENTATIONS) {
    const upright = uprightOf(o);
    sameWithin(await decodePicture(orientedPng(o)), upright, 0, `PNG orientation ${o}`);
    sameWithin(await decodePicture(await orientedJpeg(o)), upright, 6, `JPEG orientation ${o}`);
    sameWithin(await decodePicture(await orientedTiff(o)), upright, 0, `TIFF orientation ${o}`);
  }
});
