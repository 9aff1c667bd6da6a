/**
 * Any grayscale picture of a handwritten digit -> the model's input, made the way MNIST itself was made:
 * the ink found (background removed locally, noise measured, polarity decided, specks dropped; see
 * ink/find.ts), cropped to the ink, scaled so the longer side fits a 20/28 box with anti-aliasing, and
 * placed so its centre of mass is at the centre (ink/fit.ts).
 *
 * Shared code: no Node and no DOM imports. The browser widget bundles this very file, so a digit drawn in
 * the page and the same digit saved as a PNG for the CLI go through identical arithmetic.
 */
import type { InputContract } from './contract.js';
import { findInkTransient } from './ink/find.js';
import { cropInk, fitToContract, MNIST_BOX_FRACTION, sourceBox, touchesEdge } from './ink/fit.js';
import type { GrayImage, PixelBox } from './ink/image.js';
import { countCharacters } from './segment/count.js';

export type { GrayImage, PixelBox } from './ink/image.js';

/** A picture turned into model input. */
export interface PreprocessOk {
  ok: true;
  /**
   * `contract.height * contract.width` values, row-major, in `contract.pixelRange`, with the ink at the end of
   * the range `contract.ink` names. One channel, so the same buffer is valid for NCHW and NHWC.
   */
  input: Float32Array;
  /** True when the source had dark ink on a light background (and was inverted). */
  inverted: boolean;
  /** Background level of the source along its border, 0..255. */
  background: number;
  /** Bounding box of the ink in the source picture. */
  inkBox: PixelBox;
  /** True when the ink box touches the picture's edge: the digit may be cut off. */
  edgeTouching: boolean;
  /**
   * How many separate characters the picture clearly holds (model-free, see segment/count.ts); more than
   * one means the single answer describes none of them and the picture should be read as a line.
   */
  digitCount: number;
}

/** A picture in which no digit could be found: it must be reported, never predicted. */
export interface PreprocessNoInk {
  ok: false;
  /** `no-ink`: blank or too faint; `too-much-ink`: marks all over (a page of text, a busy photo). */
  reason: 'no-ink' | 'too-much-ink';
  /** One line for a person, e.g. "no ink found: the picture is blank (contrast 3 of 255)". */
  message: string;
}

/** Result of {@link preprocess}. */
export type PreprocessResult = PreprocessOk | PreprocessNoInk;

/** Tuning knobs of {@link preprocess}; the defaults are what the CLI and the widget use. */
export interface PreprocessOptions {
  /** Least difference between ink and background (0..255 levels) for a picture to count as holding ink. Default 32. */
  minContrast?: number;
  /** Side of the box the digit's longer side is scaled to, as a fraction of the model's side. Default 20/28 (MNIST). */
  boxFraction?: number;
  /**
   * Where to write the input (`contract.height * contract.width` values, e.g. the picture's place in a batch);
   * the result's `input` is then this array. Nothing is written when the picture holds no ink. Default: a new array.
   */
  into?: Float32Array;
}

/**
 * Turn a grayscale picture into the model's input as MNIST was made (see the file comment).
 *
 * An MNIST test image given as is comes out unchanged up to the contrast stretch (values / the image's peak,
 * 255 or 254 in MNIST). A picture with no ink (blank, or only noise) returns `{ ok: false, reason: 'no-ink' }`,
 * one with marks all over `{ ok: false, reason: 'too-much-ink' }`.
 *
 * @param img grayscale pixels, one byte each (see {@link rgbaToGray} for RGBA canvas or decoder output).
 * @param contract the model's input contract (size, pixel range, ink polarity), read from the model.
 * @throws RangeError when `img` is malformed (sizes and data length disagree) or the contract has channels != 1.
 */
export function preprocess(img: GrayImage, contract: InputContract, options: PreprocessOptions = {}): PreprocessResult {
  const { width: w, height: h, data } = img;
  if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1 || data.length !== w * h) {
    throw new RangeError(`preprocess: expected a ${w}x${h} picture with ${w * h} bytes, got ${data.length}`);
  }
  if (contract.channels !== 1)
    throw new RangeError(`preprocess: models with ${contract.channels} channels are not supported (expected 1)`);
  // The map is done with before this returns, so its picture-sized arrays may be reused by the next picture.
  const found = findInkTransient(img, { minContrast: options.minContrast });
  if (!found.ok) return found;
  const { map } = found;
  const keep = new Uint8Array(map.pieces.length + 1);
  for (const p of map.ink) keep[p.label] = 1;
  // findInk never returns an empty ink list: its strongest piece is ink by construction.
  const crop = cropInk(map, keep)!;
  const input = fitToContract(crop, contract, options.boxFraction ?? MNIST_BOX_FRACTION, options.into);
  const b = sourceBox(map, crop.box);
  return {
    ok: true,
    input,
    inverted: map.inverted,
    background: map.background,
    inkBox: b,
    edgeTouching: touchesEdge(b, w, h, map.scale - 1),
    digitCount: countCharacters(map),
  };
}

/** True where a 32-bit word holds its lowest-addressed byte in its low bits, as on every platform in use. */
const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/**
 * Opaque RGB bytes -> luma, for rgbaToGray. The three products come from tables and are added in the same order,
 * so the sum is the very double of 0.299 * r + 0.587 * g + 0.114 * b; adding 0.5 and truncating rounds it as
 * Math.round does, which a test checks for every (r, g, b). Decoded photos are mostly this case, and it is a
 * large share of their decoding: where the bytes are word-aligned, four pixels are read as three 32-bit words.
 */
function rgbToGray(data: Uint8Array | Uint8ClampedArray, n: number, gray: Uint8Array): void {
  let i = 0;
  if (LITTLE_ENDIAN && data.byteOffset % 4 === 0) {
    const words = new Uint32Array(data.buffer, data.byteOffset, (3 * n) >> 2);
    for (const end = n & ~3; i < end; i += 4) {
      const k = (3 * i) >> 2;
      const a = words[k],
        b = words[k + 1],
        c = words[k + 2];
      gray[i] = (LUMA_R[a & 255] + LUMA_G[(a >>> 8) & 255] + LUMA_B[(a >>> 16) & 255] + 0.5) | 0;
      gray[i + 1] = (LUMA_R[a >>> 24] + LUMA_G[b & 255] + LUMA_B[(b >>> 8) & 255] + 0.5) | 0;
      gray[i + 2] = (LUMA_R[(b >>> 16) & 255] + LUMA_G[b >>> 24] + LUMA_B[c & 255] + 0.5) | 0;
      gray[i + 3] = (LUMA_R[(c >>> 8) & 255] + LUMA_G[(c >>> 16) & 255] + LUMA_B[c >>> 24] + 0.5) | 0;
    }
  }
  for (let p = 3 * i; i < n; i++, p += 3)
    gray[i] = (LUMA_R[data[p]] + LUMA_G[data[p + 1]] + LUMA_B[data[p + 2]] + 0.5) | 0;
}

/** BT.601 luma weights times each byte value, for {@link rgbaToGray}. */
const LUMA_R = Float64Array.from({ length: 256 }, (_, v) => 0.299 * v);
const LUMA_G = Float64Array.from({ length: 256 }, (_, v) => 0.587 * v);
const LUMA_B = Float64Array.from({ length: 256 }, (_, v) => 0.114 * v);

/**
 * RGBA (or RGB, or gray+alpha) bytes -> grayscale, by BT.601 luma. Transparent pixels are composited over the
 * background that contrasts with the opaque pixels (white under dark strokes, black under light ones), so a
 * stroke drawn on a transparent canvas stays visible whatever its colour.
 * @param channels bytes per pixel: 1 (copy), 2 (gray, alpha), 3 (RGB) or 4 (RGBA, the canvas default).
 */
export function rgbaToGray(
  data: Uint8Array | Uint8ClampedArray,
  width: number,
  height: number,
  channels = 4,
): GrayImage {
  const n = width * height;
  if (data.length !== n * channels || ![1, 2, 3, 4].includes(channels)) {
    throw new RangeError(
      `rgbaToGray: expected ${width}x${height}x${channels} = ${n * channels} bytes, got ${data.length}`,
    );
  }
  const gray = new Uint8Array(n);
  const hasAlpha = channels === 2 || channels === 4;
  const colour = channels >= 3;
  // Loops are written out per case: this runs on every decoded pixel.
  if (!hasAlpha) {
    if (colour) {
      rgbToGray(data, n, gray);
    } else {
      gray.set(data);
    }
    return { width, height, data: gray };
  }
  const a = channels - 1;
  let opaqueLum = 0,
    opaqueWeight = 0,
    anyTransparent = false;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const alpha = data[p + a];
    if (alpha < 255) anyTransparent = true;
    const lum = colour ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
    opaqueLum += lum * alpha;
    opaqueWeight += alpha;
  }
  const under = anyTransparent && opaqueWeight > 0 && opaqueLum / opaqueWeight < 128 ? 255 : 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const alpha = data[p + a] / 255;
    const lum = colour ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
    gray[i] = Math.round(lum * alpha + under * (1 - alpha));
  }
  return { width, height, data: gray };
}
