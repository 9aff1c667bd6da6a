// Seeded fuzzing of the picture decoders through pictureToInput, the function predict's decode workers run:
// mutated PNG, JPEG, GIF and BMP files must give a PictureError or a result (a digit or no ink), never another
// exception, a hang or a crash. Two classes more: headers claiming sizes their data cannot fill (refused within
// time and memory bounds), and the eight EXIF orientations (upright) with broken orientation tags. FUZZ_SEED and FUZZ_SECONDS change the seed and the time spent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { crc32 } from 'node:zlib';
import { decodePicture, PictureError, pictureToInput } from '../../src/runtime/node/images.js';
import { readMnist } from '../../src/data/idx.js';
import { bmpBytes, pngBytes } from '../runtime/helpers/files.js';
import {
  EXIF_ORIENTATIONS,
  orientedJpeg,
  orientedPng,
  orientedTiff,
  STORED,
  uprightOf,
} from '../runtime/helpers/orientation.js';
import { seededRandom as rng } from '../../src/train/data/rng.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240611);
const SECONDS = Number(process.env.FUZZ_SECONDS ?? 20);
/** Longest one decode may take before the case counts as a hang. */
const CASE_MS = 2000;

type Mutation = (b: Uint8Array, r: () => number) => Uint8Array;
const int = (r: () => number, n: number) => Math.floor(r() * n);

/** PNG chunk boundaries: [start, end) of each chunk after the signature, while the lengths make sense. */
function pngChunks(b: Uint8Array): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  for (let p = 8; p + 12 <= b.length;) {
    const end = p + 12 + dv.getUint32(p);
    if (end > b.length) break;
    out.push([p, end]);
    p = end;
  }
  return out;
}

/** JPEG segment starts (markers with a length) after SOI. */
function jpegSegments(b: Uint8Array): number[] {
  const out: number[] = [];
  for (let p = 2; p + 4 <= b.length && b[p] === 0xff && b[p + 1] !== 0xda;) {
    out.push(p);
    p += 2 + ((b[p + 2] << 8) | b[p + 3]);
  }
  return out;
}

const mutations: Record<string, Mutation> = {
  bitFlips: (b, r) => {
    const c = Uint8Array.from(b);
    for (let k = 1 + int(r, 8); k > 0; k--) c[int(r, c.length)] ^= 1 << int(r, 8);
    return c;
  },
  byteSets: (b, r) => {
    const c = Uint8Array.from(b);
    const values = [0, 0xff, 0x7f, 0x80, 1];
    for (let k = 1 + int(r, 4); k > 0; k--) c[int(r, c.length)] = values[int(r, values.length)];
    return c;
  },
  truncate: (b, r) => b.slice(0, int(r, b.length)),
  chunkShuffle: (b, r) => {
    const chunks = pngChunks(b);
    if (b[0] !== 0x89 || chunks.length < 2) return mutations.bitFlips(b, r);
    const order = chunks.map((_, i) => i);
    const i = int(r, order.length),
      j = int(r, order.length);
    [order[i], order[j]] = [order[j], order[i]];
    if (r() < 0.3) order.splice(int(r, order.length), 1); // drop one
    if (r() < 0.3) order.push(order[int(r, order.length)]); // repeat one
    return Uint8Array.from([...b.subarray(0, 8), ...order.flatMap((k) => [...b.subarray(chunks[k][0], chunks[k][1])])]);
  },
  lengthLie: (b, r) => {
    const c = Uint8Array.from(b);
    const dv = new DataView(c.buffer);
    const lies = [0, 1, 0x7fffffff, 0xffffffff, 0x10000];
    const lie = () => (r() < 0.5 ? lies[int(r, lies.length)] : int(r, 1 << 20));
    if (c[0] === 0x89) {
      const chunks = pngChunks(c);
      if (chunks.length) dv.setUint32(chunks[int(r, chunks.length)][0], lie());
    } else if (c[0] === 0xff) {
      const segs = jpegSegments(c);
      if (segs.length) dv.setUint16(segs[int(r, segs.length)] + 2, lie() & 0xffff);
    } else if (c[0] === 0x42 && c.length >= 34) {
      // BMP: file size, data offset, header size, width, height, bits per pixel
      const at = [2, 10, 14, 18, 22, 28][int(r, 6)];
      if (at === 28) dv.setUint16(at, lie() & 0xffff, true);
      else dv.setInt32(at, r() < 0.3 ? -(lie() & 0xffff) : lie() | 0, true);
    } else if (c.length >= 10) {
      // GIF: logical screen width or height, then a descriptor's somewhere inside
      dv.setUint16(r() < 0.5 ? 6 : 8, lie() & 0xffff, true);
    }
    return c;
  },
  splice: (b, r) => {
    const at = int(r, b.length),
      len = int(r, 64);
    const junk = Uint8Array.from({ length: len }, () => int(r, 256));
    return Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at + (r() < 0.5 ? len : 0))]);
  },
};

test('mutated PNG, JPEG, GIF and BMP files give a PictureError or a result, never a crash or a hang', async () => {
  const mnist = await readMnist('test');
  const digit = { width: 28, height: 28, data: mnist.images.slice(0, 784) };
  const raw = () => sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } });
  const seeds: Record<string, Uint8Array> = {
    png: pngBytes(digit),
    pngRgb: await raw().toColourspace('srgb').png({ compressionLevel: 9 }).toBuffer(),
    pngPalette: await raw().png({ palette: true }).toBuffer(),
    jpeg: await raw().jpeg({ quality: 85 }).toBuffer(),
    gif: await raw().gif().toBuffer(),
    bmp: bmpBytes(digit),
  };
  const contract = MNIST_CONTRACT;
  for (const [name, bytes] of Object.entries(seeds)) {
    const r = await pictureToInput(bytes, contract);
    assert.ok(r.ok, `${name}: the unmutated seed file must decode to a digit`);
  }
  const r = rng(SEED);
  const names = Object.keys(seeds),
    kinds = Object.keys(mutations);
  const counts: Record<string, number> = {};
  const outcomes = { pictureError: 0, digit: 0, noInk: 0 };
  const deadline = performance.now() + SECONDS * 1000;
  let cases = 0;
  while (performance.now() < deadline) {
    const seed = names[int(r, names.length)],
      kind = kinds[int(r, kinds.length)];
    let bytes = mutations[kind](seeds[seed], r);
    if (r() < 0.25) bytes = mutations[kinds[int(r, kinds.length)]](bytes, r); // a second mutation on top
    const what = `case ${cases} (${seed}, ${kind}, seed ${SEED})`;
    const t0 = performance.now();
    try {
      const res = await pictureToInput(bytes, contract);
      if (res.ok) outcomes.digit++;
      else outcomes.noInk++;
    } catch (err) {
      if (!(err instanceof PictureError)) assert.fail(`${what}: ${(err as Error).stack}`);
      assert.doesNotMatch(err.message, /\n/, what);
      outcomes.pictureError++;
    }
    assert.ok(performance.now() - t0 < CASE_MS, `${what} took ${Math.round(performance.now() - t0)} ms`);
    counts[`${seed}/${kind}`] = (counts[`${seed}/${kind}`] ?? 0) + 1;
    cases++;
  }
  console.log(
    `fuzz: ${cases} cases in ${SECONDS} s (seed ${SEED}): ${outcomes.pictureError} PictureError, ${outcomes.digit} digit, ${outcomes.noInk} no ink`,
  );
  assert.ok(cases > 100, `only ${cases} cases ran`);
});

/** `b` with its header's width and height set to `w` x `h` (PNG's IHDR CRC fixed, so the claim is what is tested). */
function claiming(b: Uint8Array, w: number, h: number): Uint8Array {
  const c = Uint8Array.from(b);
  const dv = new DataView(c.buffer);
  if (c[0] === 0x89) {
    dv.setUint32(16, w);
    dv.setUint32(20, h);
    dv.setUint32(29, crc32(c.subarray(12, 29)));
  } else if (c[0] === 0xff) {
    for (let p = 2; p + 9 < c.length;) {
      if (c[p] !== 0xff) {
        p++;
        continue;
      }
      if (c[p + 1] >= 0xc0 && c[p + 1] <= 0xc2) {
        dv.setUint16(p + 5, h & 0xffff);
        dv.setUint16(p + 7, w & 0xffff);
        break;
      }
      p += 2 + dv.getUint16(p + 2);
    }
  } else if (c[0] === 0x47) {
    dv.setUint16(6, w & 0xffff, true);
    dv.setUint16(8, h & 0xffff, true);
    // the first image descriptor's size as well, where a GIF decoder sizes its frame
    let at = 13 + (c[10] & 0x80 ? 3 << ((c[10] & 7) + 1) : 0);
    // skip extensions: introducer, label, sub-blocks, terminator
    while (c[at] === 0x21) {
      at += 2;
      while (at < c.length && c[at] !== 0) at += c[at] + 1;
      at++;
    }
    if (c[at] === 0x2c && at + 9 < c.length) {
      dv.setUint16(at + 5, w & 0xffff, true);
      dv.setUint16(at + 7, h & 0xffff, true);
    }
  } else if (c[0] === 0x42) {
    dv.setInt32(18, w, true);
    dv.setInt32(22, h, true);
  }
  return c;
}

test('header-versus-data size mismatches: small files claiming large, long or thin pictures are refused or read, within bounds', async () => {
  const mnist = await readMnist('test');
  const digit = { width: 28, height: 28, data: mnist.images.slice(0, 784) };
  const raw = () => sharp(Buffer.from(digit.data), { raw: { width: 28, height: 28, channels: 1 } });
  const seeds: Record<string, Uint8Array> = {
    png: pngBytes(digit),
    jpeg: await raw().jpeg({ quality: 85 }).toBuffer(),
    jpegProgressive: await raw().jpeg({ quality: 85, progressive: true }).toBuffer(),
    gif: await raw().gif().toBuffer(),
    bmp: bmpBytes(digit),
  };
  const claims: Array<[number, number]> = [
    [7000, 7000],
    [20000, 20000],
    [65535, 65535],
    [100000, 1],
    [1, 100000],
    [30000, 200],
    [6000, 8000],
    [2000, 2000],
    [300, 300],
    [29, 28],
  ];
  const r = rng(SEED + 1);
  for (let k = 0; k < 20; k++) claims.push([1 + int(r, 12000), 1 + int(r, 12000)]);
  const rss0 = process.memoryUsage().rss;
  let peak = rss0,
    refused = 0;
  for (const [name, seed] of Object.entries(seeds)) {
    for (const [w, h] of claims) {
      const what = `${name} claiming ${w}x${h} in ${seed.length} bytes`;
      const t0 = performance.now();
      try {
        await pictureToInput(claiming(seed, w, h), MNIST_CONTRACT);
        // only a claim the data can fill may decode: a few pixels more than the picture's own
        assert.ok(w * h <= 29 * 29, `${what} was decoded`);
      } catch (err) {
        if (!(err instanceof PictureError)) assert.fail(`${what}: ${(err as Error).stack}`);
        assert.doesNotMatch(err.message, /\n/, what);
        refused++;
      }
      assert.ok(performance.now() - t0 < CASE_MS, `${what} took ${Math.round(performance.now() - t0)} ms`);
      peak = Math.max(peak, process.memoryUsage().rss);
    }
  }
  console.log(
    `size claims: ${refused} refused of ${claims.length * Object.keys(seeds).length}, peak RSS +${Math.round((peak - rss0) / 2 ** 20)} MiB`,
  );
  assert.ok(peak - rss0 < 600 * 2 ** 20, `RSS grew by ${Math.round((peak - rss0) / 2 ** 20)} MiB`);
});

test('EXIF orientations: all eight decode upright in PNG, JPEG and TIFF; broken orientation tags are ignored or refused, never a crash', async () => {
  for (const o of EXIF_ORIENTATIONS) {
    const want = uprightOf(o);
    for (const [fmt, bytes] of [
      ['png', orientedPng(o)],
      ['jpeg', await orientedJpeg(o)],
      ['tiff', await orientedTiff(o)],
    ] as const) {
      const got = await decodePicture(bytes);
      assert.deepEqual([got.width, got.height], [want.width, want.height], `${fmt} orientation ${o}`);
      let worst = 0;
      for (let i = 0; i < want.data.length; i++) worst = Math.max(worst, Math.abs(got.data[i] - want.data[i]));
      assert.ok(worst <= 12, `${fmt} orientation ${o}: worst pixel difference ${worst}`);
    }
  }
  // tags out of range and EXIF blocks cut or flipped: the picture decodes as stored, or is refused in one line
  const r = rng(SEED + 2);
  for (let k = 0; k < 200; k++) {
    const o = [0, 9, 255, 65535, 1 + int(r, 8)][int(r, 5)];
    let bytes = orientedPng(o);
    if (k % 2) bytes = mutations.bitFlips(bytes, r);
    try {
      await decodePicture(bytes);
    } catch (err) {
      if (!(err instanceof PictureError)) assert.fail(`orientation case ${k} (seed ${SEED}): ${(err as Error).stack}`);
    }
  }
  const bad = await decodePicture(orientedPng(9));
  assert.deepEqual([bad.width, bad.height], [STORED.width, STORED.height], 'an undefined orientation is ignored');
});
