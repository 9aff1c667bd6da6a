/**
 * Picture file -> grayscale pixels, for the Node runtime.
 *
 * The format is told by the file's first bytes, never by its name. The picture's size is read from its header
 * and refused before anything is decoded when it is too large (a small file can claim a 20000x20000 picture:
 * a decompression bomb). Decoders chosen by measurement (BENCHMARKS.md, runtime): pngjs's synchronous decoder
 * for PNG (small files, no thread-pool round trip) behind a direct path for plain 8-bit PNGs, sharp (libvips) for JPEG, GIF and TIFF, and a small
 * reader of our own for uncompressed BMP, which sharp does not read.
 */
import { readFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import sharp from 'sharp';
import { rgbaToGray, type GrayImage } from '../preprocess.js';

/** Picture formats the runtime reads. */
export type PictureFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'tiff';

/** File name extensions picked up when walking a directory. */
export const PICTURE_EXTENSIONS = ['.png', '.jpg', '.jpeg', '.bmp', '.gif', '.tiff', '.tif'] as const;

/** Largest picture decoded, in pixels (8000 x 6000 is 48 megapixels; a phone photo is 12). */
export const MAX_PIXELS = 50_000_000;
/** Largest file read, in bytes. */
export const MAX_FILE_BYTES = 100 * 1024 * 1024;

/** A file that cannot be turned into pixels; the message is one line naming no path (the caller adds it). */
export class PictureError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PictureError';
  }
}

/** Width and height from a picture's header, without decoding it. */
export interface PictureHeader {
  format: PictureFormat;
  width: number;
  height: number;
}

/** Tell the format from the first bytes. */
export function sniffFormat(b: Uint8Array): PictureFormat | undefined {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47 && b[4] === 0x0d && b[5] === 0x0a && b[6] === 0x1a && b[7] === 0x0a) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 6 && b[0] === 0x47 && b[1] === 0x49 && b[2] === 0x46 && b[3] === 0x38) return 'gif';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 4 && ((b[0] === 0x49 && b[1] === 0x49 && b[2] === 0x2a && b[3] === 0) || (b[0] === 0x4d && b[1] === 0x4d && b[2] === 0 && b[3] === 0x2a))) return 'tiff';
  return undefined;
}

function describeStart(b: Uint8Array): string {
  const head = b.subarray(0, 8);
  const printable = [...head].every((c) => c >= 0x20 && c < 0x7f);
  return printable ? `'${String.fromCharCode(...head)}'` : [...head].map((c) => c.toString(16).padStart(2, '0')).join(' ');
}

/**
 * Read the picture size from the header (PNG IHDR, JPEG SOF, GIF screen, BMP info header; TIFF: undefined,
 * sharp checks it with its own pixel limit).
 * @throws PictureError when the header is missing or cut short.
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
    case 'bmp':
      if (b.length < 26) short();
      return { format, width: Math.abs(dv.getInt32(18, true)), height: Math.abs(dv.getInt32(22, true)) };
    case 'jpeg': {
      let p = 2;
      while (p + 9 < b.length) {
        if (b[p] !== 0xff) { p++; continue; }
        const marker = b[p + 1];
        // SOF0..SOF15 hold the frame size, except DHT (C4), JPG (C8) and DAC (CC)
        if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
          return { format, width: dv.getUint16(p + 7), height: dv.getUint16(p + 5) };
        }
        if (marker === 0xff || marker === 0x01 || (marker >= 0xd0 && marker <= 0xd9)) { p += 2; continue; }
        p += 2 + dv.getUint16(p + 2);
      }
      return short();
    }
    case 'tiff':
      return undefined;
  }
}

function checkSize(h: PictureHeader): void {
  if (h.width === 0 || h.height === 0) throw new PictureError(`${h.format.toUpperCase()} header says ${h.width}x${h.height} pixels: an empty picture`);
  if (h.width * h.height > MAX_PIXELS) {
    throw new PictureError(`${h.format.toUpperCase()} header says ${h.width}x${h.height} (${Math.round(h.width * h.height / 1e6)} megapixels), over the ${MAX_PIXELS / 1e6}-megapixel limit: refused without decoding`);
  }
}

/** Read a file's bytes with a size limit; errors say what is wrong with the file in one line. */
export function readPictureFile(file: string): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (err) {
    throw new PictureError(fileErrorReason(err));
  }
  if (bytes.length === 0) throw new PictureError('empty file (0 bytes)');
  if (bytes.length > MAX_FILE_BYTES) throw new PictureError(`file is ${bytes.length} bytes, over the ${MAX_FILE_BYTES / 1048576} MiB limit`);
  return bytes;
}

/** One line for a failed open/read/stat. */
export function fileErrorReason(err: unknown): string {
  const e = err as NodeJS.ErrnoException;
  switch (e.code) {
    case 'ENOENT': return 'no such file';
    case 'EACCES': case 'EPERM': return 'permission denied: cannot read the file';
    case 'ELOOP': return 'symlink loop: the link never reaches a file';
    case 'EISDIR': return 'is a directory';
    default: return `cannot read the file (${e.code ?? e.message})`;
  }
}

/**
 * Decode picture bytes to grayscale. Fast synchronous path for PNG and BMP; JPEG, GIF and TIFF go through sharp.
 * @throws PictureError: unknown format, truncated or corrupt data, a picture over {@link MAX_PIXELS}.
 */
export async function decodePicture(bytes: Uint8Array): Promise<GrayImage> {
  const format = sniffFormat(bytes);
  if (!format) {
    throw new PictureError(`not a picture: starts with ${describeStart(bytes)}; expected PNG, JPEG, GIF, BMP or TIFF data`);
  }
  const header = readHeader(bytes, format);
  if (header) checkSize(header);
  if (format === 'png') return decodePng(bytes);
  if (format === 'bmp') return decodeBmp(bytes);
  return decodeWithSharp(bytes, format);
}

function decodePng(bytes: Uint8Array): GrayImage {
  const fast = decodePlainPng(bytes);
  if (fast) return fast;
  let png: { width: number; height: number; data: Buffer };
  try {
    png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (err) {
    throw new PictureError(`corrupt or truncated PNG (${oneLine(err)})`);
  }
  return rgbaToGray(png.data, png.width, png.height, 4);
}

/**
 * The common PNG shape (8-bit gray, gray+alpha, RGB or RGBA, not interlaced, no tRNS) decoded straight to
 * bytes: one inflate and an in-place unfilter, about twice as fast as pngjs on small files, which build an
 * RGBA copy through several stream objects. Anything else returns undefined and goes to pngjs.
 * @throws PictureError when the chunks or the compressed data are cut short or corrupt.
 */
function decodePlainPng(b: Uint8Array): GrayImage | undefined {
  if (b.length < 33) return undefined;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const width = dv.getUint32(16), height = dv.getUint32(20);
  const channels = ({ 0: 1, 2: 3, 4: 2, 6: 4 } as Record<number, number>)[b[25]];
  if (b[24] !== 8 || b[28] !== 0 || !channels) return undefined;
  const idat: Uint8Array[] = [];
  let p = 8, ended = false;
  while (p + 12 <= b.length) {
    const len = dv.getUint32(p);
    const type = String.fromCharCode(b[p + 4], b[p + 5], b[p + 6], b[p + 7]);
    if (p + 12 + len > b.length) break;
    if (type === 'tRNS') return undefined;
    if (type === 'IDAT') idat.push(b.subarray(p + 8, p + 8 + len));
    if (type === 'IEND') { ended = true; break; }
    p += 12 + len;
  }
  if (!ended || idat.length === 0) throw new PictureError(`corrupt or truncated PNG (${ended ? 'no image data' : 'the file ends before its last chunk'})`);
  let raw: Uint8Array;
  try {
    raw = inflateSync(idat.length === 1 ? idat[0] : Buffer.concat(idat));
  } catch (err) {
    throw new PictureError(`corrupt or truncated PNG (${oneLine(err)})`);
  }
  const stride = width * channels;
  if (raw.length < height * (stride + 1)) throw new PictureError(`corrupt or truncated PNG (image data holds ${raw.length} bytes, ${height * (stride + 1)} needed)`);
  const px = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (stride + 1)];
    const src = y * (stride + 1) + 1, row = y * stride, up = row - stride;
    for (let x = 0; x < stride; x++) {
      const a = x >= channels ? px[row + x - channels] : 0;
      const u = y > 0 ? px[up + x] : 0;
      const c = x >= channels && y > 0 ? px[up + x - channels] : 0;
      let pred: number;
      switch (filter) {
        case 0: pred = 0; break;
        case 1: pred = a; break;
        case 2: pred = u; break;
        case 3: pred = (a + u) >> 1; break;
        case 4: {
          const pa = Math.abs(u - c), pb = Math.abs(a - c), pc = Math.abs(a + u - 2 * c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? u : c;
          break;
        }
        default: throw new PictureError(`corrupt PNG (row ${y} has filter type ${filter})`);
      }
      px[row + x] = (raw[src + x] + pred) & 0xff;
    }
  }
  return channels === 1 ? { width, height, data: px } : rgbaToGray(px, width, height, channels);
}

async function decodeWithSharp(bytes: Uint8Array, format: PictureFormat): Promise<GrayImage> {
  try {
    const { data, info } = await sharp(bytes, { limitInputPixels: MAX_PIXELS, failOn: 'truncated', pages: 1 })
      .greyscale()
      .raw()
      .toBuffer({ resolveWithObject: true });
    return rgbaToGray(data, info.width, info.height, info.channels);
  } catch (err) {
    const msg = oneLine(err);
    if (/pixel limit/i.test(msg)) throw new PictureError(`${format.toUpperCase()} is over the ${MAX_PIXELS / 1e6}-megapixel limit: refused without decoding`);
    throw new PictureError(`corrupt or truncated ${format.toUpperCase()} (${msg})`);
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
  // BI_RGB (0), or BI_BITFIELDS (3) with 32 bpp in the usual BGRA order
  if (!(compression === 0 || (compression === 3 && bpp === 32))) {
    throw new PictureError(`BMP compression ${compression} is not supported; save it as PNG or uncompressed BMP`);
  }
  if (![1, 4, 8, 24, 32].includes(bpp)) throw new PictureError(`BMP with ${bpp} bits per pixel is not supported`);
  const stride = Math.ceil((width * bpp) / 32) * 4;
  if (offset + stride * height > b.length) throw new PictureError(`truncated BMP: pixel data needs ${offset + stride * height} bytes, the file has ${b.length}`);
  const palette = 14 + infoSize;
  const gray = new Uint8Array(width * height);
  const luma = (r: number, g: number, bl: number) => Math.round(0.299 * r + 0.587 * g + 0.114 * bl);
  for (let y = 0; y < height; y++) {
    const row = offset + (rawHeight > 0 ? height - 1 - y : y) * stride;
    for (let x = 0; x < width; x++) {
      let v: number;
      if (bpp >= 24) {
        const p = row + x * (bpp / 8);
        v = luma(b[p + 2], b[p + 1], b[p]);
      } else {
        const bitsAt = x * bpp;
        const idx = (b[row + (bitsAt >> 3)] >> (8 - bpp - (bitsAt & 7))) & ((1 << bpp) - 1);
        const p = palette + idx * 4;
        v = luma(b[p + 2], b[p + 1], b[p]);
      }
      gray[y * width + x] = v;
    }
  }
  return { width, height, data: gray };
}

function oneLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0].trim();
}
