// PNG image data is inflated with an output chunk fitted to the picture; every outcome must be the one the
// plain zlib.inflateSync(data, { maxOutputLength }) gives, the simple version this test carries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zlib from 'node:zlib';
import { decodePicture } from '../../src/runtime/node/images.js';

function chunk(type: string, data: Uint8Array): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

function grayPng(w: number, h: number, idat: Uint8Array): Uint8Array {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8;
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', idat),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

/** What decoding gave: the picture's bytes, or the error message. */
async function outcome(png: Uint8Array): Promise<string> {
  try {
    return `pixels ${Buffer.from((await decodePicture(png)).data).toString('hex')}`;
  } catch (err) {
    return (err as Error).message;
  }
}

/** The outcome the plain call gives, worded as images.ts words it. */
function plainOutcome(idat: Uint8Array, w: number, h: number): string {
  const expected = h * (w + 1);
  let raw: Buffer;
  try {
    raw = zlib.inflateSync(idat, { maxOutputLength: expected });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      return `PNG image data inflates past the ${expected} bytes its ${w}x${h} header allows: refused (a decompression bomb, or a damaged file)`;
    }
    return `corrupt or truncated PNG (${(err as Error).message.split('\n')[0].trim()})`;
  }
  if (raw.length < expected)
    return `corrupt or truncated PNG (image data holds ${raw.length} bytes, ${expected} needed)`;
  const px = Buffer.alloc(w * h);
  for (let y = 0; y < h; y++) raw.copy(px, y * w, y * (w + 1) + 1, (y + 1) * (w + 1));
  return `pixels ${px.toString('hex')}`;
}

/** Seeded pseudo-random bytes. */
function noise(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    b[i] = s >>> 24;
  }
  return b;
}

test('small PNGs inflate to what the plain call gives, and fail with its words', async () => {
  const cases: Array<[string, number, number, Uint8Array]> = [];
  for (const [w, h] of [
    [28, 28],
    [1, 1],
    [100, 100],
    [200, 100],
  ]) {
    const expected = h * (w + 1);
    const rows = Buffer.alloc(expected);
    for (let y = 0; y < h; y++) noise(w, y + w).copy(rows, y * (w + 1) + 1);
    const good = zlib.deflateSync(rows);
    const over = zlib.deflateSync(Buffer.concat([rows, noise(3000, 7)]));
    const overDamagedLate = Buffer.from(over);
    overDamagedLate[overDamagedLate.length - 2] ^= 0xff;
    const damaged = Buffer.from(good);
    damaged[Math.floor(damaged.length / 2)] ^= 0x5a;
    cases.push(
      [`${w}x${h} exact`, w, h, good],
      [`${w}x${h} truncated`, w, h, good.subarray(0, good.length - 7)],
      [`${w}x${h} short`, w, h, zlib.deflateSync(rows.subarray(0, expected - 1))],
      [`${w}x${h} over its size`, w, h, over],
      [`${w}x${h} over its size, damaged at the end`, w, h, overDamagedLate],
      [`${w}x${h} damaged inside`, w, h, damaged],
      [`${w}x${h} not zlib`, w, h, noise(50, w)],
    );
  }
  for (let seed = 1; seed <= 200; seed++) {
    const w = 1 + (seed % 40),
      h = 1 + ((seed * 7) % 40);
    const data = zlib.deflateSync(noise(Math.max(1, h * (w + 1) + (seed % 3) * 50 - 20), seed));
    const bad = Buffer.from(data);
    bad[seed % bad.length] ^= 1 << (seed % 8);
    cases.push([`seed ${seed}`, w, h, data], [`seed ${seed}, one bit flipped`, w, h, bad]);
  }
  for (const [name, w, h, idat] of cases) {
    // rows of filter type 0 only where the data is ours; any other filter byte fails in both the same way
    const expected = plainOutcome(idat, w, h);
    const got = await outcome(grayPng(w, h, idat));
    if (expected.startsWith('pixels')) {
      const raw = zlib.inflateSync(idat);
      const filtersZero = Array.from({ length: h }, (_, y) => raw[y * (w + 1)]).every((f) => f === 0);
      if (!filtersZero) continue;
    }
    assert.equal(got, expected, name);
  }
});
