// Seeded fuzzing of the picture decoders through pictureToInput, the function predict's decode workers run:
// mutated PNG, JPEG, GIF and BMP files must give a PictureError or a result (a digit or no ink), never another
// exception, a hang or a crash. FUZZ_SEED and FUZZ_SECONDS change the seed and the time spent.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { PictureError, pictureToInput } from '../../src/runtime/node/images.js';
import { readMnist } from '../../src/data/idx.js';
import { bmpBytes, pngBytes } from '../runtime/helpers/files.js';
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
