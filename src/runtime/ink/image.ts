/** The picture and rectangle types every runtime module speaks; shared code, no Node and no DOM. */

/** A grayscale picture: one byte per pixel, row-major, `data.length === width * height`. */
export interface GrayImage {
  width: number;
  height: number;
  data: Uint8Array | Uint8ClampedArray;
}

/** A rectangle in source pixels. */
export interface PixelBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * Throw a RangeError naming `who` when the sizes and the data length of `img` disagree.
 * @throws RangeError on a malformed picture.
 */
export function checkImage(img: GrayImage, who: string): void {
  const { width: w, height: h, data } = img;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || data.length !== w * h) {
    throw new RangeError(`${who}: expected a ${w}x${h} picture with ${w * h} bytes, got ${data.length}`);
  }
}
