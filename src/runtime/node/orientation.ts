/**
 * The EXIF Orientation tag: reading it from an EXIF block (a PNG's eXIf chunk) and turning a decoded picture
 * upright by it. Phones store most photos sideways with this tag; a digit read sideways is another digit.
 * JPEG and TIFF are turned by the decoder (sharp's autoOrient); PNG is decoded here, so it is turned here.
 */
import type { GrayImage } from '../preprocess.js';

/**
 * The Orientation value (1..8) in an EXIF block (TIFF structure: byte order, IFD0), or undefined when the block
 * has none or is malformed: a broken tag is ignored, as browsers and photo viewers ignore it.
 */
export function exifOrientation(exif: Uint8Array): number | undefined {
  if (exif.length < 8) return undefined;
  const little = exif[0] === 0x49 && exif[1] === 0x49;
  if (!little && !(exif[0] === 0x4d && exif[1] === 0x4d)) return undefined;
  const dv = new DataView(exif.buffer, exif.byteOffset, exif.byteLength);
  if (dv.getUint16(2, little) !== 42) return undefined;
  const ifd = dv.getUint32(4, little);
  if (ifd + 2 > exif.length) return undefined;
  const count = dv.getUint16(ifd, little);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + 12 * i;
    if (e + 12 > exif.length) return undefined;
    // tag 0x0112, type SHORT (3), one value held in the entry itself
    if (dv.getUint16(e, little) !== 0x0112) continue;
    if (dv.getUint16(e + 2, little) !== 3 || dv.getUint32(e + 4, little) !== 1) return undefined;
    const o = dv.getUint16(e + 8, little);
    return o >= 1 && o <= 8 ? o : undefined;
  }
  return undefined;
}

/**
 * The picture as it is meant to be seen under EXIF orientation `o` (1 = as stored; 5..8 swap width and height).
 * Each output pixel (x, y) takes the stored pixel the tag's definition maps it to.
 */
export function applyOrientation(img: GrayImage, o: number | undefined): GrayImage {
  if (o === undefined || o === 1) return img;
  const { width: w, height: h, data: s } = img;
  const swap = o >= 5;
  const W = swap ? h : w,
    H = swap ? w : h;
  const out = new Uint8Array(W * H);
  // stored index = base + x * dx + y * dy, for output pixel (x, y)
  const [base, dx, dy] = (
    {
      2: [w - 1, -1, w],
      3: [w * h - 1, -1, -w],
      4: [(h - 1) * w, 1, -w],
      5: [0, w, 1],
      6: [(h - 1) * w, -w, 1],
      7: [w * h - 1, -w, -1],
      8: [w - 1, w, -1],
    } as Record<number, [number, number, number]>
  )[o];
  for (let y = 0; y < H; y++) {
    let p = base + y * dy;
    const row = y * W;
    for (let x = 0; x < W; x++, p += dx) out[row + x] = s[p];
  }
  return { width: W, height: H, data: out };
}
