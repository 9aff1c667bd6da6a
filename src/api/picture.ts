/** The three ways a picture reaches the API: encoded bytes, a file path, or grey pixels already decoded. */
import { UsageError } from '../errors.js';
import type { GrayImage } from '../runtime/preprocess.js';
import { PictureError, readPictureFile } from '../runtime/node/images.js';
import { PictureFailedError } from './errors.js';

/** Grey pixels: one byte per pixel (0 black .. 255 white), row-major, `data.length === width * height`. */
export type GrayPixels = GrayImage;

/** A PNG, JPEG, GIF, BMP or TIFF file's bytes, its path, or grey pixels. */
export type PictureSource = Uint8Array | string | GrayPixels;

/** A picture as the jobs take it: encoded bytes with a name for messages, or decoded pixels. */
export type Picture = { name: string; bytes: Uint8Array } | { name: string; pixels: GrayPixels };

/**
 * Tell the three sources apart and read a path (with the CLI's size limits and messages).
 * @throws PictureFailedError when the file cannot be read; UsageError when `source` is none of the three.
 */
export function toPicture(source: PictureSource, argument: string): Picture {
  if (typeof source === 'string') {
    try {
      return { name: source, bytes: readPictureFile(source) };
    } catch (err) {
      if (err instanceof PictureError) throw new PictureFailedError(source, err.message);
      throw err;
    }
  }
  if (source instanceof Uint8Array) return { name: '<bytes>', bytes: source };
  if (source && typeof source === 'object' && 'width' in source && 'height' in source && 'data' in source) {
    return { name: '<pixels>', pixels: source };
  }
  throw new UsageError(
    `${argument}: expected picture bytes (Uint8Array), a file path or {width, height, data} grey pixels, got ${source === null ? 'null' : typeof source}`,
  );
}
