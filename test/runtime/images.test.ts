import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { decodePicture, PictureError, readHeader, readPictureFile, sniffFormat } from '../../src/runtime/node/images.js';
import { readMnist } from '../../src/data/idx.js';
import { bmpBytes, jpegBytes, pngBytes, put, tempDir } from './helpers/files.js';

const mnist = await readMnist('test');
const digit = { width: 28, height: 28, data: mnist.images.slice(0, 784) };
const dir = tempDir('images');

function crc32(bytes: Uint8Array): number {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  out.set([...type].map((ch) => ch.charCodeAt(0)), 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

/** A valid-looking PNG whose header claims `w` x `h` gray pixels, with only a few compressed bytes of data. */
function claimedPng(w: number, h: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  ihdr.set([8, 0, 0, 0, 0], 8);
  const idat = deflateSync(new Uint8Array(1 << 20)); // 1 MiB of zeros inflating from ~1 KiB
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', idat), chunk('IEND', new Uint8Array(0))];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}

test('PNG, BMP and lossless formats decode to the same pixels', async () => {
  const fromPng = await decodePicture(pngBytes(digit));
  assert.deepEqual([fromPng.width, fromPng.height], [28, 28]);
  assert.deepEqual(fromPng.data, digit.data);
  assert.deepEqual((await decodePicture(bmpBytes(digit))).data, digit.data);
  const gif = await sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } }).gif().toBuffer();
  const tiff = await sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } }).tiff({ compression: 'lzw' }).toBuffer();
  for (const [name, bytes] of [['gif', gif], ['tiff', tiff]] as const) {
    const img = await decodePicture(bytes);
    let worst = 0;
    for (let i = 0; i < 784; i++) worst = Math.max(worst, Math.abs(img.data[i] - digit.data[i]));
    assert.ok(worst <= 8, `${name}: worst pixel difference ${worst}`);
  }
});

test('JPEG decodes through sharp to the right size and close pixels', async () => {
  const img = await decodePicture(jpegBytes(digit, 95));
  assert.deepEqual([img.width, img.height], [28, 28]);
  let sad = 0;
  for (let i = 0; i < 784; i++) sad += Math.abs(img.data[i] - digit.data[i]);
  assert.ok(sad / 784 < 10, `mean abs difference ${sad / 784}`);
});

test('headers give the size without decoding', () => {
  const big = claimedPng(20000, 20000);
  assert.deepEqual(readHeader(big, 'png'), { format: 'png', width: 20000, height: 20000 });
  const jp = jpegBytes({ width: 64, height: 48, data: new Uint8Array(64 * 48) });
  assert.deepEqual(readHeader(jp, sniffFormat(jp)!), { format: 'jpeg', width: 64, height: 48 });
  assert.deepEqual(readHeader(bmpBytes(digit), 'bmp'), { format: 'bmp', width: 28, height: 28 });
});

test('a 20000x20000 picture is refused from its header, before decoding', async () => {
  const t0 = performance.now();
  await assert.rejects(decodePicture(claimedPng(20000, 20000)), (e: Error) => {
    assert.ok(e instanceof PictureError);
    assert.match(e.message, /20000x20000 \(400 megapixels\), over the 50-megapixel limit: refused without decoding/);
    return true;
  });
  assert.ok(performance.now() - t0 < 200, 'refusing must not take decoding time');
});

test('bad bytes: each gets one clear line', async () => {
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['text named .png', new TextEncoder().encode('hello, this is not a picture\n'), /not a picture: starts with 'hello, t'; expected PNG, JPEG/],
    ['truncated PNG', pngBytes(digit).subarray(0, 60), /corrupt or truncated PNG/],
    ['PNG cut inside its header', pngBytes(digit).subarray(0, 20), /truncated PNG: the header is cut short/],
    ['truncated JPEG', jpegBytes(digit).subarray(0, 200), /corrupt or truncated JPEG|truncated JPEG/],
    ['truncated BMP', bmpBytes(digit).subarray(0, 100), /truncated BMP/],
    ['zero-size PNG header', claimedPng(0, 10), /0x10 pixels: an empty picture/],
  ];
  for (const [name, bytes, re] of cases) {
    await assert.rejects(decodePicture(bytes), (e: Error) => {
      assert.ok(e instanceof PictureError, `${name}: ${e}`);
      assert.match(e.message, re, name);
      assert.doesNotMatch(e.message, /\n/, name);
      return true;
    });
  }
});

test('file-level problems: empty, missing, a directory', () => {
  const empty = put(dir, 'empty.png', new Uint8Array(0));
  assert.throws(() => readPictureFile(empty), /empty file \(0 bytes\)/);
  assert.throws(() => readPictureFile(`${dir}/missing.png`), /no such file/);
  assert.throws(() => readPictureFile(dir), /is a directory/);
});

test('the direct PNG path and pngjs agree on every filter and colour type', async () => {
  const { PNG } = await import('pngjs');
  const { rgbaToGray } = await import('../../src/runtime/preprocess.js');
  const w = 37, h = 23;
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++) png.data.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, 255 - (i % 3) * 60], 4 * i);
  for (const colorType of [0, 2, 4, 6] as const) {
    for (const filterType of [0, 1, 2, 3, 4, -1]) {
      const bytes = PNG.sync.write(png, { colorType, filterType });
      const ref = PNG.sync.read(bytes);
      const expected = rgbaToGray(ref.data, w, h, 4);
      const got = await decodePicture(bytes);
      assert.deepEqual(got.data, expected.data, `colour type ${colorType}, filter ${filterType}`);
    }
  }
});
