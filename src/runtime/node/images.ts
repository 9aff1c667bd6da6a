/**
 * Picture file -> grayscale pixels, for the Node runtime.
 *
 * The format is told by the file's first bytes, never by its name. Every decode runs under budgets, whatever the
 * file claims: the file is read with a byte cap, the picture's size is read from its header and refused before
 * anything is decoded when it is over {@link MAX_PIXELS} (a small file can claim a 20000x20000 picture), PNG data
 * is inflated no further than its header allows (a 1x1 PNG can carry gigabytes of zlib stream), and sharp gets
 * the same pixel limit and a time limit. A header that claims more pixels than the file's bytes could code is
 * refused before decoding too (a 4 KB JPEG cannot hold 7000x7000 pixels; PNG, JPEG and GIF each have such a
 * floor), and so is a picture whose sides are absurd (a 100000x1 strip). Decodes through sharp in one thread
 * share a pixel budget, so a burst of large pictures waits its turn instead of holding gigabytes at once. EXIF
 * orientation is honoured for every format that carries it (JPEG, TIFF, PNG's eXIf chunk).
 *
 * Decoders: for the common PNG shapes (grey, grey+alpha, RGB, RGBA at 8 or 16 bits, not interlaced) our own
 * inflate and unfilter (png-rows.ts), faster than pngjs's on small files (BENCHMARKS.md, predict) and row by row
 * on large ones, pngjs for the other PNGs, sharp (libvips) for JPEG, GIF and TIFF, and a small reader of our own for uncompressed BMP, which
 * neither sharp nor pngjs reads. Every PNG goes through one chunk walk first, so a damaged file (a bad CRC, a
 * chunk running past the end) gets the same message whichever decoder would have run.
 */
import * as zlib from 'node:zlib';
import type { PNG as PngType } from 'pngjs';
import type SharpType from 'sharp';
import { FileReadError, formatBytes, readFileCapped, readWalkedFileCapped } from '../../fs/bounded-read.js';
import type { InputContract } from '../contract.js';
import { preprocess, rgbaToGray, type GrayImage, type PreprocessResult } from '../preprocess.js';
import { countGifFrame } from './gif-frame.js';
import { applyOrientation, exifOrientation } from './orientation.js';
import { PictureError } from './picture-error.js';
import { PixelGate } from './pixel-gate.js';
import { streamPngRows, unfilterImage, type PngRowShape } from './png-rows.js';

/**
 * The two decoder libraries are loaded on first use, not with this module: loading sharp (libvips) takes longer
 * than decoding thousands of small PNGs, and every decode worker would pay it, whether or not a file needs it.
 */
let sharpLib: Promise<typeof SharpType> | undefined;
let pngLib: Promise<typeof PngType> | undefined;
// libvips' operation cache would keep decoded pictures alive after their request; no picture is decoded twice
const loadSharp = () =>
  (sharpLib ??= import('sharp').then((m) => {
    m.default.cache(false);
    return m.default;
  }));
const loadPngjs = () => (pngLib ??= import('pngjs').then((m) => m.PNG));

/** Picture formats the runtime reads. */
export type PictureFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'tiff';

/** File name extensions picked up when walking a directory. */
export const PICTURE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.tiff', '.tif'] as const;

/** Largest picture decoded, in pixels (8000 x 6000 is 48 megapixels; a phone photo is 12). */
export const MAX_PIXELS = 50_000_000;
/** Longest side decoded, in pixels: wider than any camera's panorama, far short of JPEG's 65535. */
export const MAX_SIDE = 30_000;
/**
 * Largest ratio of the long side to the short one: a line of forty digits is under 40:1; a 100000x1 strip holds
 * no handwriting, only a way to make the reader produce an answer from nothing.
 */
export const MAX_ASPECT = 200;
/**
 * Pixels decoded at once through sharp in one thread (pictures in flight, by their headers' sizes): one picture at
 * the limit, or many small ones. The rest wait their turn.
 */
export const DECODE_PIXEL_BUDGET = MAX_PIXELS;
/** Largest file read, in bytes. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;
/**
 * Largest decompressed PNG image data, in bytes: 8-bit RGBA at {@link MAX_PIXELS} fits; 16-bit colour at that
 * size does not, and would need several times this in copies while being converted.
 */
export const MAX_DECODED_BYTES = 256 * 1024 * 1024;
/**
 * PNG image data larger than this, in bytes once inflated, is inflated and unfiltered row by row instead of whole:
 * a picture at the size limit would otherwise hold its inflated data, zlib's pieces of it and a copy of its
 * samples at once.
 */
export const PNG_STREAM_FROM_BYTES = 8 * 1024 * 1024;
/** Longest sharp may spend on one picture, in seconds. */
export const DECODE_SECONDS = 8;

export { PictureError };

/** Width and height from a picture's header, without decoding it. */
export interface PictureHeader {
  format: PictureFormat;
  width: number;
  height: number;
}

/** Tell the format from the first bytes. */
export function sniffFormat(b: Uint8Array): PictureFormat | undefined {
  if (
    b.length >= 8 &&
    b[0] === 0x89 &&
    b[1] === 0x50 &&
    b[2] === 0x4e &&
    b[3] === 0x47 &&
    b[4] === 0x0d &&
    b[5] === 0x0a &&
    b[6] === 0x1a &&
    b[7] === 0x0a
  )
    return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (
    b.length >= 4 &&
    ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) ||
      (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))
  )
    return 'tiff';
  return undefined;
}

function describeStart(b: Uint8Array): string {
  const head = b.subarray(0, 8);
  const printable = [...head].every((c) => c >= 0x20 && c < 0x7f);
  return printable
    ? `'${String.fromCharCode(...head)}'`
    : [...head].map((c) => c.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Read the picture size from the header (PNG IHDR, JPEG SOF, GIF screen, BMP info header; TIFF: undefined,
 * sharp checks it with its own pixel limit).
 * @throws PictureError when the header is missing, cut short or impossible (a BMP with a negative width).
 */
export function readHeader(b: Uint8Array, format: PictureFormat): PictureHeader | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const short = (): never => {
    throw new PictureError(`truncated ${format.toUpperCase()}: the header is cut short (${b.length} bytes)`);
  };
  switch (format) {
    case 'png':
      if (b.length < 24) short();
      return { format, width: dv.getUint32(16), height: dv.getUint32(20) };
    case 'gif':
      if (b.length < 10) short();
      return { format, width: dv.getUint16(6, true), height: dv.getUint16(8, true) };
    case 'bmp': {
      if (b.length < 26) short();
      const width = dv.getInt32(18, true);
      // a negative height means top-down rows; a negative width means nothing
      if (width < 0)
        throw new PictureError(
          `corrupt BMP: the header gives a negative width (${width}); re-save the picture as PNG or BMP`,
        );
      return { format, width, height: Math.abs(dv.getInt32(22, true)) };
    }
    case 'jpeg': {
      const frame = jpegFrame(b);
      return frame ? { format, width: frame.width, height: frame.height } : short();
    }
    case 'tiff':
      return undefined;
  }
}

/** A JPEG's frame header: its size, and whether its data is Huffman-coded (all but SOF9..SOF15). */
function jpegFrame(b: Uint8Array): { width: number; height: number; huffman: boolean } | undefined {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  let p = 2;
  while (p + 9 < b.length) {
    if (b[p] !== 0xff) {
      p++;
      continue;
    }
    const marker = b[p + 1];
    // SOF0..SOF15 hold the frame size, except DHT (C4), JPG (C8) and DAC (CC)
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { width: dv.getUint16(p + 7), height: dv.getUint16(p + 5), huffman: marker < 0xc9 };
    }
    if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) {
      p += 2;
      continue;
    }
    p += 2 + dv.getUint16(p + 2);
  }
  return undefined;
}

/**
 * Refuse a Huffman-coded JPEG too short for its header: every 8x8 block of the picture is coded with at least
 * one bit (its DC code), so a complete file holds at least blocks / 8 bytes. libjpeg would fill the missing
 * blocks with grey and answer; this refuses it before a byte of the claimed size is allocated. (An arithmetic-
 * coded JPEG has no such floor; its decoder's warning about data ending early refuses it instead.)
 */
/**
 * False when the bytes cannot code the picture their header claims (a JPEG shorter than its frame needs), which
 * decoding refuses at once: such a picture costs nothing to turn away and must not wait behind real ones.
 */
export function canHoldClaim(b: Uint8Array, format: PictureFormat): boolean {
  if (format !== 'jpeg') return true;
  try {
    checkJpegData(b);
    return true;
  } catch {
    return false;
  }
}

function checkJpegData(b: Uint8Array): void {
  const frame = jpegFrame(b);
  if (!frame?.huffman) return;
  const needed = Math.ceil((Math.ceil(frame.width / 8) * Math.ceil(frame.height / 8)) / 8);
  if (b.length < needed)
    throw new PictureError(
      `truncated JPEG: the header says ${frame.width}x${frame.height}, which needs at least ${needed} bytes of data; the file has ${b.length}: it is cut short or its header lies`,
    );
}

/**
 * Refuse a GIF whose data cannot fill what its header claims. The first frame's LZW data must code every pixel
 * of the frame (see countGifFrame): the decoder would fill the rest with the background and answer. And the file
 * must be long enough for its logical screen: LZW codes are at least 3 bits wide and none stands for more than
 * 4096 pixels (the code table's size), so a complete picture needs pixels * 3 / 32768 bytes; a tiny frame on a
 * 7000x7000 screen made in a few hundred bytes is refused before the canvas is allocated.
 */
function checkGifData(b: Uint8Array, h: PictureHeader | undefined): void {
  const frame = countGifFrame(b);
  if (frame && frame.pixels < frame.width * frame.height)
    throw new PictureError(
      `truncated GIF: the first frame is ${frame.width}x${frame.height}, its data codes ${frame.pixels} of those ${frame.width * frame.height} pixels: it is cut short or its header lies`,
    );
  const needed = h ? Math.ceil((h.width * h.height * 3) / 32768) : 0;
  if (b.length < needed)
    throw new PictureError(
      `truncated GIF: the header says ${h!.width}x${h!.height}, which needs at least ${needed} bytes of data; the file has ${b.length}: it is cut short or its header lies`,
    );
}

function checkSize(h: PictureHeader): void {
  const name = h.format.toUpperCase();
  if (h.width === 0 || h.height === 0)
    throw new PictureError(`${name} header says ${h.width}x${h.height} pixels: an empty picture`);
  if (Math.max(h.width, h.height) > MAX_SIDE)
    throw new PictureError(
      `${name} header says ${h.width}x${h.height}: a side over the ${MAX_SIDE}-pixel limit; refused without decoding (crop or scale it down)`,
    );
  if (Math.max(h.width, h.height) > MAX_ASPECT * Math.min(h.width, h.height))
    throw new PictureError(
      `${name} header says ${h.width}x${h.height}: sides in a ratio over ${MAX_ASPECT}:1, no picture of handwriting; refused without decoding (crop it to the writing)`,
    );
  if (h.width * h.height > MAX_PIXELS) {
    throw new PictureError(
      `${h.format.toUpperCase()} header says ${h.width}x${h.height} (${Math.round((h.width * h.height) / 1e6)} megapixels), over the ${MAX_PIXELS / 1e6}-megapixel limit: refused without decoding`,
    );
  }
}

/**
 * Read a picture file's bytes: at most {@link MAX_FILE_BYTES} (+1 to tell that it is over), regular files only.
 * @param file a path, or a path's exact bytes (for a name that is not UTF-8).
 * @param o.walked the path comes from walkPictures, which saw it as a regular file: read it without a
 *   stat first (see readWalkedFileCapped); the results and messages are the same.
 * @throws PictureError in one line naming no path: missing, unreadable, a FIFO/device/socket/directory, empty,
 *   or over the limit.
 */
export function readPictureFile(file: string | Uint8Array, o: { walked?: boolean } = {}): Uint8Array {
  // a path's exact bytes (a name that is not UTF-8) arrive from a worker message as a plain Uint8Array
  const at = typeof file === 'string' ? file : Buffer.from(file.buffer, file.byteOffset, file.byteLength);
  let bytes: Buffer;
  try {
    bytes = o.walked ? readWalkedFileCapped(at, MAX_FILE_BYTES) : readFileCapped(at, MAX_FILE_BYTES);
  } catch (err) {
    throw err instanceof FileReadError ? new PictureError(err.message) : err;
  }
  if (bytes.length === 0) throw new PictureError('empty file (0 bytes)');
  return bytes;
}

/**
 * Decode picture bytes to grayscale. PNG and BMP synchronously in this thread; JPEG, GIF and TIFF through sharp.
 * @throws PictureError: unknown format, truncated or corrupt data, a picture over {@link MAX_PIXELS}, PNG data
 *   inflating past its header's size.
 */
export async function decodePicture(bytes: Uint8Array): Promise<GrayImage> {
  const format = sniffFormat(bytes);
  if (!format) {
    throw new PictureError(
      `not a picture: starts with ${describeStart(bytes)}; expected PNG, JPEG, GIF, BMP or TIFF data`,
    );
  }
  // a PNG's chunks are checked first, so a damaged IHDR is reported as damaged, not as the size it now claims
  const header = readHeader(bytes, format);
  const layout = format === 'png' ? readPngChunks(bytes) : undefined;
  if (header) checkSize(header);
  if (layout)
    return applyOrientation((await decodePng(layout)) ?? (await decodePngWithPngjs(bytes)), layout.orientation);
  if (format === 'bmp') return decodeBmp(bytes);
  if (format === 'jpeg') checkJpegData(bytes);
  if (format === 'gif') checkGifData(bytes, header);
  return decodeWithSharp(bytes, format, header ?? (await sharpHeader(bytes, format)));
}

/**
 * Picture bytes -> the model's input, as `predict` does it in its decode workers: decode, then preprocess
 * (written `into` the given array when there is one, see PreprocessOptions).
 * @returns the preprocessed input, or a no-ink result (a blank picture).
 * @throws PictureError when the bytes cannot be decoded.
 */
export async function pictureToInput(
  bytes: Uint8Array,
  contract: InputContract,
  o: { into?: Float32Array } = {},
): Promise<PreprocessResult> {
  return preprocess(await decodePicture(bytes), contract, { into: o.into });
}

const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c;
});

// zlib.crc32 arrived in Node 20.15; older 20.x releases get the table version
const crc32: (data: Uint8Array) => number =
  (zlib as { crc32?: (d: Uint8Array) => number }).crc32 ??
  ((data) => {
    let c = -1;
    for (let i = 0; i < data.length; i++) c = CRC_TABLE[(c ^ data[i]) & 0xff] ^ (c >>> 8);
    return (c ^ -1) >>> 0;
  });

/** A PNG's header fields and its image data chunks, after every chunk's length and CRC were checked. */
interface PngLayout {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlaced: boolean;
  hasTransparency: boolean;
  /** EXIF orientation from an eXIf chunk, when there is one. */
  orientation?: number;
  idat: Uint8Array[];
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const PNG_DEPTHS: Record<number, number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function readPngChunks(b: Uint8Array): PngLayout {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const corrupt = (why: string): never => {
    throw new PictureError(`corrupt PNG: ${why}; the file is damaged, re-save or re-export the picture`);
  };
  const cut = (why: string): never => {
    throw new PictureError(`corrupt or truncated PNG (${why}); the file is cut short, copy it again`);
  };
  let layout: PngLayout | undefined;
  let p = 8;
  for (;;) {
    if (p + 8 > b.length) cut(`the file ends at byte ${b.length}, before the IEND chunk`);
    const len = dv.getUint32(p);
    if (!isLetter(b[p + 4]) || !isLetter(b[p + 5]) || !isLetter(b[p + 6]) || !isLetter(b[p + 7]))
      corrupt(`the chunk at byte ${p} has no valid type`);
    const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    if (len > 0x7fffffff) corrupt(`chunk '${type}' at byte ${p} claims ${len} bytes, more than PNG allows`);
    if (p + 12 + len > b.length)
      cut(`chunk '${type}' at byte ${p} claims ${len} bytes, the file ends ${b.length - p - 8} bytes later`);
    if (crc32(b.subarray(p + 4, p + 8 + len)) !== dv.getUint32(p + 8 + len))
      corrupt(`chunk '${type}' at byte ${p} fails its CRC check`);
    if (!layout) {
      if (type !== 'IHDR' || len !== 13) corrupt('the first chunk is not a 13-byte IHDR');
      const bitDepth = b[p + 16],
        colorType = b[p + 17];
      if (!PNG_DEPTHS[colorType]?.includes(bitDepth))
        corrupt(`IHDR gives bit depth ${bitDepth} with colour type ${colorType}, which PNG does not define`);
      if (b[p + 18] !== 0 || b[p + 19] !== 0 || b[p + 20] > 1)
        corrupt('IHDR names an unknown compression, filter or interlace method');
      layout = {
        width: dv.getUint32(p + 8),
        height: dv.getUint32(p + 12),
        bitDepth,
        colorType,
        interlaced: b[p + 20] === 1,
        hasTransparency: false,
        idat: [],
      };
    } else if (type === 'IDAT') {
      layout.idat.push(b.subarray(p + 8, p + 8 + len));
    } else if (type === 'tRNS') {
      layout.hasTransparency = true;
    } else if (type === 'eXIf') {
      layout.orientation = exifOrientation(b.subarray(p + 8, p + 8 + len));
    } else if (type === 'IEND') {
      break;
    }
    p += 12 + len;
  }
  if (layout!.idat.length === 0) corrupt('no image data (IDAT) before IEND');
  return layout!;
}

function isLetter(c: number): boolean {
  return (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a);
}

/** Bytes the image data must inflate to: every row (of every interlace pass) with its filter byte. */
function pngDataBytes(l: PngLayout): number {
  const bitsPerPixel = PNG_CHANNELS[l.colorType] * l.bitDepth;
  const rowBytes = (w: number) => Math.ceil((w * bitsPerPixel) / 8) + 1;
  if (!l.interlaced) return l.height * rowBytes(l.width);
  let total = 0;
  // Adam7: x start, y start, x step, y step of each pass
  for (const [x0, y0, dx, dy] of [
    [0, 0, 8, 8],
    [4, 0, 8, 8],
    [0, 4, 4, 8],
    [2, 0, 4, 4],
    [0, 2, 2, 4],
    [1, 0, 2, 2],
    [0, 1, 1, 2],
  ]) {
    const w = Math.ceil((l.width - x0) / dx),
      h = Math.ceil((l.height - y0) / dy);
    if (w > 0 && h > 0) total += h * rowBytes(w);
  }
  return total;
}

/**
 * The bytes a PNG's image data must inflate to, once shown to be under the limit and within what its compressed
 * size can code.
 */
function checkPngData(l: PngLayout): number {
  const expected = pngDataBytes(l);
  if (expected > MAX_DECODED_BYTES) {
    throw new PictureError(
      `PNG header says ${l.width}x${l.height} at ${l.bitDepth} bits per channel: ${formatBytes(expected)} of image data, over the ${formatBytes(MAX_DECODED_BYTES)} limit; save it at 8 bits or smaller`,
    );
  }
  // Deflate codes at most 258 bytes with two bits (a length and a distance code of one bit each): no stream
  // shorter than expected / 1032 bytes can hold the picture, whatever it shows.
  const compressed = l.idat.reduce((n, c) => n + c.length, 0);
  const needed = Math.floor(expected / 1032);
  if (compressed < needed)
    throw new PictureError(
      `truncated PNG: the header says ${l.width}x${l.height}, which needs at least ${needed} bytes of compressed data; the file holds ${compressed}: it is cut short or its header lies`,
    );
  return expected;
}

/** Inflate no further than the header allows: a bomb fails after that many bytes, not after gigabytes. */
function inflatePng(l: PngLayout, expected: number): Uint8Array {
  let raw: Uint8Array;
  try {
    raw = inflateCapped(l.idat.length === 1 ? l.idat[0] : Buffer.concat(l.idat), expected);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new PictureError(
        `PNG image data inflates past the ${expected} bytes its ${l.width}x${l.height} header allows: refused (a decompression bomb, or a damaged file)`,
      );
    }
    throw new PictureError(`corrupt or truncated PNG (${oneLine(err)})`);
  }
  if (raw.length < expected)
    throw new PictureError(`corrupt or truncated PNG (image data holds ${raw.length} bytes, ${expected} needed)`);
  return raw;
}

/**
 * zlib.inflateSync(data, { maxOutputLength: expected }), with an output chunk just over `expected` when that is
 * smaller than zlib's default chunk: the default is a fresh 16 KiB buffer outside the heap per call, which costs
 * a small picture more than inflating it. On any failure the default call runs again and its error is the one
 * thrown: a stream that overruns its size may also be damaged further on, and which of the two zlib meets
 * first depends on the chunk.
 */
function inflateCapped(data: Uint8Array, expected: number): Buffer {
  const chunkSize = Math.max(zlib.constants.Z_MIN_CHUNK, expected + 1);
  if (chunkSize >= zlib.constants.Z_DEFAULT_CHUNK) return zlib.inflateSync(data, { maxOutputLength: expected });
  try {
    return zlib.inflateSync(data, { maxOutputLength: expected, chunkSize });
  } catch {
    return zlib.inflateSync(data, { maxOutputLength: expected });
  }
}

/**
 * The common PNG shapes (grey, grey+alpha, RGB, RGBA at 8 or 16 bits, not interlaced, no tRNS) decoded here:
 * small 8-bit ones inflated whole, the others row by row; undefined for the rest (pngjs's), once the image data
 * has passed its checks.
 */
async function decodePng(layout: PngLayout): Promise<GrayImage | undefined> {
  const expected = checkPngData(layout);
  const { width, height, bitDepth: depth } = layout;
  const channels = PNG_CHANNELS[layout.colorType];
  if (layout.interlaced || layout.hasTransparency || layout.colorType === 3 || depth < 8) {
    inflatePng(layout, expected); // a damaged or oversized stream is refused before pngjs reads it
    return undefined;
  }
  const shape: PngRowShape = { width, height, channels, depth };
  const px =
    depth === 8 && expected <= PNG_STREAM_FROM_BYTES
      ? unfilterImage(inflatePng(layout, expected), shape)
      : await streamPngRows(layout.idat, expected, shape);
  return channels === 1 ? { width, height, data: px } : rgbaToGray(px, width, height, channels);
}

async function decodePngWithPngjs(bytes: Uint8Array): Promise<GrayImage> {
  // pngjs inflates the same stream again; inflatePng has already shown it stays within the header's size
  const PNG = await loadPngjs();
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new PictureError(`corrupt PNG (${oneLine(err)}); re-save or re-export the picture`);
  }
  return rgbaToGray(png.data, png.width, png.height, 4);
}

/** A TIFF's size from its first directory, as sharp reads it (no pixels decoded), checked like the others'. */
async function sharpHeader(bytes: Uint8Array, format: PictureFormat): Promise<PictureHeader> {
  const sharp = await loadSharp();
  let meta: { width?: number; height?: number };
  try {
    meta = await sharp(bytes, { limitInputPixels: false, pages: 1 }).metadata();
  } catch (err) {
    throw new PictureError(`corrupt or truncated ${format.toUpperCase()} (${oneLine(err)})`);
  }
  const header = { format, width: meta.width ?? 0, height: meta.height ?? 0 };
  checkSize(header);
  return header;
}

/** One gate per thread: sharp's decodes are asynchronous, so one thread can have many in flight. */
const sharpGate = new PixelGate(DECODE_PIXEL_BUDGET);

async function decodeWithSharp(bytes: Uint8Array, format: PictureFormat, header: PictureHeader): Promise<GrayImage> {
  const sharp = await loadSharp();
  const pixels = header.width * header.height;
  await sharpGate.acquire(pixels);
  try {
    // JPEG: failOn 'warning' (sharp's advice for untrusted input), as libjpeg only warns when the data ends before
    // the picture does ("premature end of data segment") and would fill the rest with grey. TIFF keeps
    // 'truncated': libtiff warns about every private tag a scanner writes. (GIF's data is counted before.)
    const { data, info } = await sharp(bytes, {
      limitInputPixels: MAX_PIXELS,
      failOn: format === 'jpeg' ? 'warning' : 'truncated',
      pages: 1,
      autoOrient: true,
    })
      .timeout({ seconds: DECODE_SECONDS })
      .raw()
      .toBuffer({ resolveWithObject: true });
    // The colour-to-grey step is ours, as for PNG and BMP: the same luma whatever the format, and cheaper than
    // libvips' colourspace conversion (measured with bench:read's 640x480 photos).
    return rgbaToGray(data, info.width, info.height, info.channels);
  } catch (err) {
    const msg = oneLine(err);
    if (/pixel limit/i.test(msg))
      throw new PictureError(
        `${format.toUpperCase()} is over the ${MAX_PIXELS / 1e6}-megapixel limit: refused without decoding`,
      );
    if (/timeout/i.test(msg))
      throw new PictureError(
        `${format.toUpperCase()} took over ${DECODE_SECONDS} s to decode: refused; save it smaller or as PNG`,
      );
    throw new PictureError(`corrupt or truncated ${format.toUpperCase()} (${msg})`);
  } finally {
    sharpGate.release(pixels);
  }
}

/** Uncompressed BMP (1, 4, 8, 24 or 32 bits per pixel, bottom-up or top-down). */
function decodeBmp(b: Uint8Array): GrayImage {
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (b.length < 54) throw new PictureError(`truncated BMP: ${b.length} bytes, the headers need 54`);
  const offset = dv.getUint32(10, true);
  const infoSize = dv.getUint32(14, true);
  const width = dv.getInt32(18, true);
  const rawHeight = dv.getInt32(22, true);
  const bpp = dv.getUint16(28, true);
  const compression = dv.getUint32(30, true);
  const height = Math.abs(rawHeight);
  if (infoSize < 40)
    throw new PictureError(
      `BMP with a ${infoSize}-byte info header (OS/2 style) is not supported; save it as PNG or a Windows BMP`,
    );
  // BI_RGB (0), or BI_BITFIELDS (3) with 32 bpp in the usual BGRA order
  if (!(compression === 0 || (compression === 3 && bpp === 32))) {
    throw new PictureError(`BMP compression ${compression} is not supported; save it as PNG or uncompressed BMP`);
  }
  if (![1, 4, 8, 24, 32].includes(bpp))
    throw new PictureError(`BMP with ${bpp} bits per pixel is not supported; save it as PNG or a 24-bit BMP`);
  const palette = 14 + infoSize;
  if (offset < palette || offset > b.length)
    throw new PictureError(
      `corrupt BMP: pixel data offset ${offset} lies outside ${palette}..${b.length}; re-save the picture`,
    );
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (offset + stride * height > b.length)
    throw new PictureError(
      `truncated BMP: pixel data needs ${offset + stride * height} bytes, the file has ${b.length}`,
    );
  const luma = (r: number, g: number, bl: number) => Math.round(0.299 * r + 0.587 * g + 0.114 * bl);
  let lut: Uint8Array | undefined;
  if (bpp <= 8) {
    const colours = Math.min(1 << bpp, Math.floor((offset - palette) / 4));
    lut = new Uint8Array(colours);
    for (let i = 0; i < colours; i++) lut[i] = luma(b[palette + 4 * i + 2], b[palette + 4 * i + 1], b[palette + 4 * i]);
  }
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      let v: number;
      if (!lut) {
        const p = row + x * (bpp / 8);
        v = luma(b[p + 2], b[p + 1], b[p]);
      } else {
        const bitsAt = x * bpp;
        const idx = (b[row + (bitsAt >> 3)] >> (8 - bpp - (bitsAt & 7))) & ((1 << bpp) - 1);
        if (idx >= lut.length)
          throw new PictureError(
            `corrupt BMP: a pixel uses colour ${idx}, the palette holds ${lut.length}; re-save the picture`,
          );
        v = lut[idx];
      }
      gray[y * width + x] = v;
    }
  }
  return { width, height, data: gray };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
}
