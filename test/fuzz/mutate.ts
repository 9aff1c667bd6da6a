// Seeded mutations of whole files for the fuzz tests and the hostile CLI runs: bit flips, byte sets, truncations,
// chunk shuffles, splices, and length fields that lie, found by walking the format (IDX header, protobuf
// length-delimited fields, JSON numbers).
import { seededRandom } from '../../src/train/data/rng.js';

/** The seeded generator mutations are picked with (the project's mulberry32). */
export const rng = seededRandom;

/** A whole number in [0, n). */
export const int = (r: () => number, n: number): number => Math.floor(r() * n);

/** The kinds of file the mutations know the layout of. */
export type FileKind = 'idx' | 'json' | 'onnx' | 'bytes';

type Mutation = (b: Uint8Array, r: () => number, kind: FileKind) => Uint8Array;

const LIES = [0, 1, 0x7fffffff, 0xffffffff, 0x10000, 28, 29, 1 << 20];
const lie = (r: () => number) => (r() < 0.6 ? LIES[int(r, LIES.length)] : int(r, 1 << 24));

function varint(n: number): number[] {
  const out: number[] = [];
  let v = Math.floor(n);
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

/** Length-delimited protobuf fields of `b[start, end)`, and one level into each: where each length varint sits. */
export function protobufLengths(
  b: Uint8Array,
  start = 0,
  end = b.length,
  depth = 0,
): Array<{ at: number; size: number; dataStart: number; dataEnd: number }> {
  const out: Array<{ at: number; size: number; dataStart: number; dataEnd: number }> = [];
  const readVarint = (p: number): [number, number] | undefined => {
    let v = 0,
      mul = 1;
    for (let q = p; q < end && q < p + 10; q++) {
      v += (b[q] & 0x7f) * mul;
      mul *= 128;
      if (b[q] < 0x80) return [v, q + 1];
    }
    return undefined;
  };
  for (let p = start; p < end;) {
    const key = readVarint(p);
    if (!key) break;
    const wire = key[0] % 8;
    p = key[1];
    if (wire === 0) {
      const v = readVarint(p);
      if (!v) break;
      p = v[1];
    } else if (wire === 1) p += 8;
    else if (wire === 5) p += 4;
    else if (wire === 2) {
      const len = readVarint(p);
      if (!len || len[1] + len[0] > end) break;
      out.push({ at: p, size: len[1] - p, dataStart: len[1], dataEnd: len[1] + len[0] });
      if (depth < 2) out.push(...protobufLengths(b, len[1], len[1] + len[0], depth + 1));
      p = len[1] + len[0];
    } else break;
  }
  return out;
}

/** The mutations, by name; each returns a new array. */
export const MUTATIONS: Record<string, Mutation> = {
  bitFlips: (b, r) => {
    const c = Uint8Array.from(b);
    if (c.length === 0) return c;
    for (let k = 1 + int(r, 8); k > 0; k--) c[int(r, c.length)] ^= 1 << int(r, 8);
    return c;
  },
  byteSets: (b, r) => {
    const c = Uint8Array.from(b);
    if (c.length === 0) return c;
    const values = [0, 0xff, 0x7f, 0x80, 1, 0x22, 0x5b, 0x7b];
    for (let k = 1 + int(r, 4); k > 0; k--) c[int(r, c.length)] = values[int(r, values.length)];
    return c;
  },
  truncate: (b, r) => b.slice(0, int(r, b.length)),
  chunkShuffle: (b, r) => {
    // cut at a few random places and swap, drop or repeat pieces
    const cuts = [0, ...Array.from({ length: 2 + int(r, 4) }, () => int(r, b.length)).sort((x, y) => x - y), b.length];
    const pieces = cuts.slice(1).map((end, i) => b.subarray(cuts[i], end));
    const i = int(r, pieces.length),
      j = int(r, pieces.length);
    [pieces[i], pieces[j]] = [pieces[j], pieces[i]];
    if (r() < 0.3) pieces.splice(int(r, pieces.length), 1);
    if (r() < 0.3) pieces.push(pieces[int(r, pieces.length)]);
    const out = new Uint8Array(pieces.reduce((s, p) => s + p.length, 0));
    let off = 0;
    for (const p of pieces) {
      out.set(p, off);
      off += p.length;
    }
    return out;
  },
  lengthLie: (b, r, kind) => {
    if (kind === 'idx' && b.length >= 8) {
      const c = Uint8Array.from(b);
      const dv = new DataView(c.buffer);
      const fields = Math.min(4, Math.floor((c.length - 4) / 4));
      if (r() < 0.15)
        dv.setUint8(3, int(r, 256)); // the dimension count in the magic
      else dv.setUint32(4 + 4 * int(r, fields), lie(r));
      return c;
    }
    if (kind === 'onnx') {
      const fields = protobufLengths(b);
      if (fields.length === 0) return MUTATIONS.bitFlips(b, r, kind);
      const f = fields[int(r, fields.length)];
      const value = r() < 0.5 ? lie(r) : Math.max(0, f.dataEnd - f.dataStart + int(r, 9) - 4);
      return Uint8Array.from([...b.subarray(0, f.at), ...varint(value), ...b.subarray(f.at + f.size)]);
    }
    if (kind === 'json') {
      const text = Buffer.from(b).toString('utf8');
      const numbers = [...text.matchAll(/-?\d+(\.\d+)?([eE][-+]?\d+)?/g)];
      if (numbers.length === 0) return MUTATIONS.bitFlips(b, r, kind);
      const m = numbers[int(r, numbers.length)];
      const swaps = ['0', '-1', '1e9', '4294967295', '2.5', '1e400', '-0', '99999999', String(lie(r))];
      return new Uint8Array(
        Buffer.from(text.slice(0, m.index) + swaps[int(r, swaps.length)] + text.slice(m.index! + m[0].length)),
      );
    }
    // no layout known: grow or shrink the file, as a length field that lies would
    return r() < 0.5
      ? b.slice(0, Math.max(0, b.length - 1 - int(r, 16)))
      : Uint8Array.from([...b, ...new Uint8Array(1 + int(r, 16))]);
  },
  splice: (b, r) => {
    const at = int(r, b.length),
      len = int(r, 64);
    const junk = Uint8Array.from({ length: len }, () => int(r, 256));
    return Uint8Array.from([...b.subarray(0, at), ...junk, ...b.subarray(at + (r() < 0.5 ? len : 0))]);
  },
};

/** One or two seeded mutations of `b`; returns the bytes and what was done. */
export function mutate(b: Uint8Array, kind: FileKind, r: () => number): { bytes: Uint8Array; how: string } {
  const names = Object.keys(MUTATIONS);
  const first = names[int(r, names.length)];
  let bytes = MUTATIONS[first](b, r, kind);
  let how = first;
  if (r() < 0.25) {
    const second = names[int(r, names.length)];
    bytes = MUTATIONS[second](bytes, r, kind);
    how += `+${second}`;
  }
  return { bytes, how };
}
