/**
 * How many pixels a GIF's first frame really codes. The GIF decoder fills a frame whose LZW data ends early
 * with the background, without a warning, so a few hundred bytes can claim a 30000x200 picture and be read.
 * This walks the file's blocks and the first frame's LZW codes, counting the pixels each code stands for
 * (a code's length is its prefix's plus one, so no pixel is produced or stored): one pass over bytes the file
 * already holds.
 */

/** The first frame's size and the pixels its data codes (at most width * height: counting stops there). */
export interface GifFrameCount {
  width: number;
  height: number;
  pixels: number;
}

/** Count the first frame's pixels, or undefined when the file holds no frame (the decoder reports that). */
export function countGifFrame(b: Uint8Array): GifFrameCount | undefined {
  if (b.length < 13) return undefined;
  let p = 13;
  // a global colour table follows the screen descriptor when its flag is set
  if (b[10] & 0x80) p += 3 * (1 << ((b[10] & 7) + 1));
  while (p < b.length) {
    const block = b[p];
    if (block === 0x21) {
      p = skipSubBlocks(b, p + 2);
    } else if (block === 0x2c) {
      if (p + 10 > b.length) return undefined;
      const width = b[p + 5] | (b[p + 6] << 8);
      const height = b[p + 7] | (b[p + 8] << 8);
      const flags = b[p + 9];
      p += 10;
      if (flags & 0x80) p += 3 * (1 << ((flags & 7) + 1));
      if (p >= b.length) return { width, height, pixels: 0 };
      const minCodeSize = b[p];
      const data = collectSubBlocks(b, p + 1);
      return { width, height, pixels: countLzwPixels(data, minCodeSize, width * height) };
    } else {
      return undefined; // the trailer (0x3b) or damage: no frame to count
    }
  }
  return undefined;
}

function skipSubBlocks(b: Uint8Array, p: number): number {
  while (p < b.length && b[p] !== 0) p += b[p] + 1;
  return p + 1;
}

function collectSubBlocks(b: Uint8Array, p: number): Uint8Array {
  const parts: Uint8Array[] = [];
  while (p < b.length && b[p] !== 0) {
    parts.push(b.subarray(p + 1, Math.min(b.length, p + 1 + b[p])));
    p += b[p] + 1;
  }
  const out = new Uint8Array(parts.reduce((n, x) => n + x.length, 0));
  let o = 0;
  for (const x of parts) {
    out.set(x, o);
    o += x.length;
  }
  return out;
}

/** Pixels the LZW stream codes, up to `limit`; a code the table cannot hold ends the count, as it ends decoding. */
function countLzwPixels(data: Uint8Array, minCodeSize: number, limit: number): number {
  if (minCodeSize < 1 || minCodeSize > 11) return 0;
  const clear = 1 << minCodeSize,
    eoi = clear + 1;
  const lengths = new Uint16Array(4096);
  lengths.fill(1, 0, clear);
  let codeSize = minCodeSize + 1,
    next = clear + 2,
    prev = -1,
    pixels = 0;
  let bits = 0,
    nbits = 0,
    i = 0;
  while (pixels < limit) {
    while (nbits < codeSize && i < data.length) {
      bits |= data[i++] << nbits;
      nbits += 8;
    }
    if (nbits < codeSize) break;
    const code = bits & ((1 << codeSize) - 1);
    bits >>>= codeSize;
    nbits -= codeSize;
    if (code === clear) {
      codeSize = minCodeSize + 1;
      next = clear + 2;
      prev = -1;
      continue;
    }
    if (code === eoi) break;
    let len: number;
    if (prev === -1) {
      if (code >= clear) break;
      len = 1;
    } else if (code < next) {
      len = lengths[code];
      if (next < 4096) lengths[next++] = lengths[prev] + 1;
    } else if (code === next && next < 4096) {
      len = lengths[prev] + 1;
      lengths[next++] = len;
    } else {
      break;
    }
    pixels += len;
    prev = code;
    if (next === 1 << codeSize && codeSize < 12) codeSize++;
  }
  return Math.min(pixels, limit);
}
