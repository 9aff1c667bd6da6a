import assert from 'node:assert/strict';
import { test } from 'node:test';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, openSync } from 'node:fs';
import path from 'node:path';
import {
  decodePicture,
  MAX_FILE_BYTES,
  PictureError,
  readHeader,
  readPictureFile,
  sniffFormat,
} from '../../src/runtime/node/images.js';
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
  out.set(
    [...type].map((ch) => ch.charCodeAt(0)),
    4,
  );
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
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((a, p) => a + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

test('PNG, BMP and lossless formats decode to the same pixels', async () => {
  const fromPng = await decodePicture(pngBytes(digit));
  assert.deepEqual([fromPng.width, fromPng.height], [28, 28]);
  assert.deepEqual(fromPng.data, digit.data);
  assert.deepEqual((await decodePicture(bmpBytes(digit))).data, digit.data);
  const gif = await sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } })
    .gif()
    .toBuffer();
  const tiff = await sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } })
    .tiff({ compression: 'lzw' })
    .toBuffer();
  for (const [name, bytes] of [
    ['gif', gif],
    ['tiff', tiff],
  ] as const) {
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
    [
      'text named .png',
      new TextEncoder().encode('hello, this is not a picture\n'),
      /not a picture: starts with 'hello, t'; expected PNG, JPEG/,
    ],
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
  const w = 37,
    h = 23;
  const png = new PNG({ width: w, height: h });
  for (let i = 0; i < w * h; i++)
    png.data.set([(i * 7) % 256, (i * 13) % 256, (i * 29) % 256, 255 - (i % 3) * 60], 4 * i);
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

test('the direct PNG path and pngjs agree on random pictures of random sizes, one filter type per picture', async () => {
  const { PNG } = await import('pngjs');
  const { rgbaToGray } = await import('../../src/runtime/preprocess.js');
  let s = 12345;
  const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 4294967296;
  for (let k = 0; k < 200; k++) {
    const w = 1 + Math.floor(rnd() * (k % 3 === 0 ? 4 : 60)),
      h = 1 + Math.floor(rnd() * (k % 5 === 0 ? 3 : 40));
    const png = new PNG({ width: w, height: h });
    // smooth areas and edges, so each filter's predictions carry and wrap around 0 and 255
    for (let i = 0; i < w * h; i++) {
      const v = rnd() < 0.3 ? Math.floor(rnd() * 256) : (i * 3 + k) % 256;
      png.data.set([v, (v * 7 + k) % 256, 255 - v, 255], 4 * i);
    }
    const colorType = ([0, 2, 4, 6] as const)[k % 4],
      filterType = [0, 1, 2, 3, 4, -1][k % 6];
    const bytes = PNG.sync.write(png, { colorType, filterType });
    const expected = rgbaToGray(PNG.sync.read(bytes).data, w, h, 4);
    const got = await decodePicture(bytes);
    assert.deepEqual(got.data, expected.data, `${w}x${h}, colour type ${colorType}, filter ${filterType}`);
  }
});

/** PNG bytes from chunks (CRCs computed), after the signature. */
function pngFrom(chunks: Array<[string, Uint8Array]>): Uint8Array {
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ...chunks.map(([t, d]) => chunk(t, d)),
  ];
  return Uint8Array.from(parts.flatMap((p) => [...p]));
}

function ihdr(w: number, h: number, depth = 8, colorType = 0, interlace = 0): Uint8Array {
  const b = new Uint8Array(13);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, w);
  dv.setUint32(4, h);
  b.set([depth, colorType, 0, 0, interlace], 8);
  return b;
}

/** Flip one bit inside the first chunk of `type`'s data, leaving its CRC as it was. */
function breakCrc(png: Uint8Array, type: string): Uint8Array {
  const b = Uint8Array.from(png);
  const dv = new DataView(b.buffer);
  for (let p = 8; p + 12 <= b.length; p += 12 + dv.getUint32(p)) {
    if (String.fromCharCode(...b.subarray(p + 4, p + 8)) === type) {
      b[p + 8] ^= 0x01;
      return b;
    }
  }
  throw new Error(`no ${type} chunk`);
}

test('a corrupt CRC gets the same one-line message on the direct path and the pngjs path', async () => {
  const { PNG } = await import('pngjs');
  const png = new PNG({ width: 28, height: 28 });
  for (let i = 0; i < 784; i++) png.data.set([digit.data[i], digit.data[i], digit.data[i], 255], 4 * i);
  const direct = PNG.sync.write(png, { colorType: 0 }); // 8-bit gray: our own unfilter
  // a palette PNG goes to pngjs
  const viaPngjs = await sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } })
    .png({ palette: true })
    .toBuffer();
  assert.equal(viaPngjs[25], 3, 'colour type 3 (palette)');
  assert.deepEqual([(await decodePicture(viaPngjs)).width, (await decodePicture(viaPngjs)).height], [28, 28]);
  for (const [name, bytes] of [
    ['direct IDAT', breakCrc(direct, 'IDAT')],
    ['pngjs IDAT', breakCrc(viaPngjs, 'IDAT')],
    ['IHDR', breakCrc(direct, 'IHDR')],
  ] as const) {
    await assert.rejects(decodePicture(bytes), (e: Error) => {
      assert.ok(e instanceof PictureError, `${name}: ${e}`);
      assert.match(
        e.message,
        /^corrupt PNG: chunk '(IDAT|IHDR)' at byte \d+ fails its CRC check; the file is damaged/,
        name,
      );
      return true;
    });
  }
});

test('a decompression bomb stops at the size its header allows, interlaced or not', async () => {
  const bomb = deflateSync(new Uint8Array(256 << 20)); // 256 MiB of zeros in a few hundred KiB
  for (const interlace of [0, 1]) {
    const bytes = pngFrom([
      ['IHDR', ihdr(1, 1, 8, 0, interlace)],
      ['IDAT', bomb],
      ['IEND', new Uint8Array(0)],
    ]);
    const t0 = performance.now();
    await assert.rejects(
      decodePicture(bytes),
      /PNG image data inflates past the 2 bytes its 1x1 header allows: refused/,
    );
    assert.ok(performance.now() - t0 < 200, `interlace ${interlace}: ${performance.now() - t0} ms`);
  }
});

test('PNG header lies: bad depth, short data, huge 16-bit pictures', async () => {
  const data = deflateSync(new Uint8Array(10));
  await assert.rejects(
    decodePicture(
      pngFrom([
        ['IHDR', ihdr(3, 3, 3, 0)],
        ['IDAT', data],
        ['IEND', new Uint8Array(0)],
      ]),
    ),
    /bit depth 3 with colour type 0, which PNG does not define/,
  );
  await assert.rejects(
    decodePicture(
      pngFrom([
        ['IHDR', ihdr(10, 10)],
        ['IDAT', data],
        ['IEND', new Uint8Array(0)],
      ]),
    ),
    /image data holds 10 bytes, 110 needed/,
  );
  await assert.rejects(
    decodePicture(
      pngFrom([
        ['IHDR', ihdr(7000, 7000, 16, 6)],
        ['IDAT', data],
        ['IEND', new Uint8Array(0)],
      ]),
    ),
    /over the 256 MiB limit/,
  );
  await assert.rejects(
    decodePicture(
      pngFrom([
        ['IHDR', ihdr(2, 2)],
        ['IEND', new Uint8Array(0)],
      ]),
    ),
    /no image data/,
  );
});

test('BMP header lies: negative width, pixel data outside the file, a palette too short', async () => {
  const neg = Uint8Array.from(bmpBytes(digit));
  new DataView(neg.buffer).setInt32(18, -28, true);
  await assert.rejects(decodePicture(neg), (e: Error) => {
    assert.ok(e instanceof PictureError);
    assert.equal(e.message, 'corrupt BMP: the header gives a negative width (-28); re-save the picture as PNG or BMP');
    return true;
  });
  const far = Uint8Array.from(bmpBytes(digit));
  new DataView(far.buffer).setUint32(10, 0xfffffff0, true);
  await assert.rejects(decodePicture(far), /corrupt BMP: pixel data offset \d+ lies outside/);
  // 8 bits per pixel with room for one palette entry: every pixel but colour 0 is missing
  const pal = new Uint8Array(54 + 4 + 4 * 2);
  const dv = new DataView(pal.buffer);
  pal.set([0x42, 0x4d]);
  dv.setUint32(10, 58, true);
  dv.setUint32(14, 40, true);
  dv.setInt32(18, 2, true);
  dv.setInt32(22, 2, true);
  dv.setUint16(28, 8, true);
  pal.set([1, 0, 0, 0], 58);
  await assert.rejects(decodePicture(pal), /a pixel uses colour 1, the palette holds 1/);
});

test('reads are capped and special files refused before reading', () => {
  const big = path.join(dir, 'sparse.png');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, MAX_FILE_BYTES + 1); // sparse: no disk used
  closeSync(fd);
  assert.throws(() => readPictureFile(big), new RegExp(`file is ${MAX_FILE_BYTES + 1} bytes, over the 100 MiB limit`));
  const fifo = path.join(dir, 'pipe.png');
  execFileSync('mkfifo', [fifo]);
  const t0 = performance.now();
  assert.throws(() => readPictureFile(fifo), /is a FIFO \(named pipe\), not a regular file: refused/);
  assert.throws(() => readPictureFile('/dev/zero'), /is a character device, not a regular file: refused/);
  assert.ok(performance.now() - t0 < 1000);
});
