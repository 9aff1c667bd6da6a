// Pictures stored sideways or mirrored with an EXIF orientation tag, and what they look like upright. The upright
// view is computed here from the tag's definition (TIFF 6.0 / EXIF 2.3), not by any decoder under test.
import sharp from 'sharp';
import { crc32 } from 'node:zlib';
import type { GrayImage } from '../../../src/runtime/preprocess.js';
import { pngBytes } from './files.js';

/** The eight values of the EXIF Orientation tag (1 = stored upright). */
export const EXIF_ORIENTATIONS = [1, 2, 3, 4, 5, 6, 7, 8] as const;

/** 24x16 pixels in 8x8 blocks of six different grays: no two orientations of it look alike. */
export const STORED: GrayImage = (() => {
  const w = 24,
    h = 16,
    levels = [10, 60, 110, 150, 200, 245];
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data[y * w + x] = levels[(y >> 3) * 3 + (x >> 3)];
  return { width: w, height: h, data };
})();

/** How {@link STORED} is shown under orientation `o`: D(x, y) = S(...) as the tag defines it. */
export function uprightOf(o: number, s: GrayImage = STORED): GrayImage {
  const { width: w, height: h } = s;
  const swap = o >= 5;
  const W = swap ? h : w,
    H = swap ? w : h;
  const data = new Uint8Array(W * H);
  const at = (x: number, y: number) => s.data[y * w + x];
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const v = [
        () => at(x, y),
        () => at(w - 1 - x, y),
        () => at(w - 1 - x, h - 1 - y),
        () => at(x, h - 1 - y),
        () => at(y, x),
        () => at(y, h - 1 - x),
        () => at(w - 1 - y, h - 1 - x),
        () => at(w - 1 - y, x),
      ][o - 1]();
      data[y * W + x] = v;
    }
  }
  return { width: W, height: H, data };
}

/** A big-endian EXIF (TIFF structure) block holding one tag: Orientation = `o`. */
export function exifOrientation(o: number): Uint8Array {
  const b = new Uint8Array(26);
  const dv = new DataView(b.buffer);
  b.set([0x4d, 0x4d, 0, 42]);
  dv.setUint32(4, 8); // first IFD
  dv.setUint16(8, 1); // one entry
  dv.setUint16(10, 0x0112); // Orientation
  dv.setUint16(12, 3); // SHORT
  dv.setUint32(14, 1); // count
  dv.setUint16(18, o);
  dv.setUint32(22, 0); // no next IFD
  return b;
}

/** {@link STORED} as an 8-bit gray PNG with an eXIf chunk after IHDR. */
export function orientedPng(o: number, s: GrayImage = STORED): Uint8Array {
  const png = pngBytes(s);
  const exif = exifOrientation(o);
  const c = new Uint8Array(12 + exif.length);
  const dv = new DataView(c.buffer);
  dv.setUint32(0, exif.length);
  c.set([0x65, 0x58, 0x49, 0x66], 4); // 'eXIf'
  c.set(exif, 8);
  dv.setUint32(8 + exif.length, crc32(c.subarray(4, 8 + exif.length)));
  const ihdrEnd = 8 + 25;
  return Uint8Array.from([...png.subarray(0, ihdrEnd), ...c, ...png.subarray(ihdrEnd)]);
}

const raw = (s: GrayImage) => sharp(Buffer.from(s.data), { raw: { width: s.width, height: s.height, channels: 1 } });

/** {@link STORED} as a JPEG (quality 100) tagged with orientation `o`. */
export async function orientedJpeg(o: number, s: GrayImage = STORED): Promise<Uint8Array> {
  return raw(s).jpeg({ quality: 100 }).withMetadata({ orientation: o }).toBuffer();
}

/** {@link STORED} as an uncompressed TIFF tagged with orientation `o`. */
export async function orientedTiff(o: number, s: GrayImage = STORED): Promise<Uint8Array> {
  return raw(s).tiff().withMetadata({ orientation: o }).toBuffer();
}
