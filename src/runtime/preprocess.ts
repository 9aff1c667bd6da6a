/**
 * Any grayscale picture of a handwritten digit -> the model's input, made the way MNIST itself was made:
 * ink polarity decided and turned to the contract's, background removed, cropped to the ink, scaled so the
 * longer side fits a 20/28 box with anti-aliasing, and placed so its centre of mass is at the centre.
 *
 * Shared code: no Node and no DOM imports. The browser widget bundles this very file, so a digit drawn in
 * the page and the same digit saved as a PNG for the CLI go through identical arithmetic.
 */
import type { InputContract } from './contract.js';

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
  /** Background level of the source, 0..255. */
  background: number;
  /** Bounding box of the ink in the source picture. */
  inkBox: PixelBox;
}

/** A picture in which no digit could be found: it must be reported, never predicted. */
export interface PreprocessNoInk {
  ok: false;
  reason: 'no-ink';
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
}

/** MNIST's digits were fitted into a 20x20 box inside the 28x28 field. */
const MNIST_BOX_FRACTION = 20 / 28;
const DEFAULT_MIN_CONTRAST = 32;

/**
 * Turn a grayscale picture into the model's input as MNIST was made (see the file comment).
 *
 * An MNIST test image given as is comes out unchanged up to the contrast stretch (values / the image's peak,
 * 255 or 254 in MNIST). A picture with no ink (blank, or only noise) returns `{ ok: false, reason: 'no-ink' }`.
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
  if (contract.channels !== 1) throw new RangeError(`preprocess: models with ${contract.channels} channels are not supported (expected 1)`);
  const minContrast = options.minContrast ?? DEFAULT_MIN_CONTRAST;

  const bg = borderStats(img);
  const inverted = inkIsDark(data, bg.median, bg.noise);
  // Ink strength above the noise floor: 0 = background, larger = more ink, whatever the source polarity.
  const floor = bg.noise;
  const strength = new Float32Array(w * h);
  let peak = 0;
  for (let i = 0; i < data.length; i++) {
    const s = (inverted ? bg.median - data[i] : data[i] - bg.median) - floor;
    if (s > 0) {
      strength[i] = s;
      if (s > peak) peak = s;
    }
  }
  if (peak < minContrast) {
    return {
      ok: false,
      reason: 'no-ink',
      message: `no ink found: the picture is blank or too faint (ink contrast ${Math.round(peak)} of 255, need ${minContrast})`,
    };
  }
  const box = inkBoundingBox(strength, w, h);

  const side = Math.min(contract.width, contract.height);
  const boxSide = Math.max(1, Math.round(side * (options.boxFraction ?? MNIST_BOX_FRACTION)));
  const scale = boxSide / Math.max(box.width, box.height);
  const outW = Math.min(contract.width, Math.max(1, Math.round(box.width * scale)));
  const outH = Math.min(contract.height, Math.max(1, Math.round(box.height * scale)));
  const fitted = resample(strength, w, box, outW, outH);

  // Contrast stretch: the strongest ink becomes full scale.
  for (let i = 0; i < fitted.length; i++) fitted[i] = Math.min(1, fitted[i] / peak);
  const input = placeByCentreOfMass(fitted, outW, outH, contract);
  return { ok: true, input, inverted, background: bg.median, inkBox: box };
}

/**
 * RGBA (or RGB, or gray+alpha) bytes -> grayscale, by BT.601 luma. Transparent pixels are composited over the
 * background that contrasts with the opaque pixels (white under dark strokes, black under light ones), so a
 * stroke drawn on a transparent canvas stays visible whatever its colour.
 * @param channels bytes per pixel: 1 (copy), 2 (gray, alpha), 3 (RGB) or 4 (RGBA, the canvas default).
 */
export function rgbaToGray(data: Uint8Array | Uint8ClampedArray, width: number, height: number, channels = 4): GrayImage {
  const n = width * height;
  if (data.length !== n * channels || ![1, 2, 3, 4].includes(channels)) {
    throw new RangeError(`rgbaToGray: expected ${width}x${height}x${channels} = ${n * channels} bytes, got ${data.length}`);
  }
  const gray = new Uint8Array(n);
  const hasAlpha = channels === 2 || channels === 4;
  const lum = (p: number): number => channels < 3
    ? data[p]
    : 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2];
  if (!hasAlpha) {
    for (let i = 0, p = 0; i < n; i++, p += channels) gray[i] = Math.round(lum(p));
    return { width, height, data: gray };
  }
  const a = channels - 1;
  let opaqueLum = 0, opaqueWeight = 0, anyTransparent = false;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const alpha = data[p + a];
    if (alpha < 255) anyTransparent = true;
    opaqueLum += lum(p) * alpha;
    opaqueWeight += alpha;
  }
  const under = anyTransparent && opaqueWeight > 0 && opaqueLum / opaqueWeight < 128 ? 255 : 0;
  for (let i = 0, p = 0; i < n; i++, p += channels) {
    const alpha = data[p + a] / 255;
    gray[i] = Math.round(lum(p) * alpha + under * (1 - alpha));
  }
  return { width, height, data: gray };
}

/** Background level (median of the border pixels) and a noise margin from their spread (3 robust sigmas). */
function borderStats(img: GrayImage): { median: number; noise: number } {
  const { width: w, height: h, data } = img;
  const hist = new Uint32Array(256);
  for (let x = 0; x < w; x++) {
    hist[data[x]]++;
    if (h > 1) hist[data[(h - 1) * w + x]]++;
  }
  for (let y = 1; y < h - 1; y++) {
    hist[data[y * w]]++;
    if (w > 1) hist[data[y * w + w - 1]]++;
  }
  const median = histMedian(hist);
  const dev = new Uint32Array(256);
  for (let v = 0; v < 256; v++) dev[Math.abs(v - median)] += hist[v];
  const mad = histMedian(dev);
  // 1.4826 * MAD estimates sigma for Gaussian noise; a clean synthetic border has MAD 0 and keeps every ink level.
  return { median, noise: Math.ceil(3 * 1.4826 * mad) };
}

function histMedian(hist: Uint32Array): number {
  let total = 0;
  for (const c of hist) total += c;
  let acc = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc * 2 >= total) return v;
  }
  return 0;
}

/**
 * Ink is whichever side of the background carries more mass: dark strokes on paper pull pixels below the
 * background level, MNIST's white strokes on black push them above. Ties (e.g. a uniform picture) count as light ink.
 */
function inkIsDark(data: Uint8Array | Uint8ClampedArray, bg: number, noise: number): boolean {
  let above = 0, below = 0;
  for (let i = 0; i < data.length; i++) {
    const d = data[i] - bg;
    if (d > noise) above += d - noise;
    else if (d < -noise) below += -d - noise;
  }
  return below > above;
}

function inkBoundingBox(strength: Float32Array, w: number, h: number): PixelBox {
  let x0 = w, x1 = -1, y0 = h, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (strength[row + x] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/** Per output index: the first source index and the normalised weights of the source pixels it mixes. */
interface Taps {
  start: Int32Array;
  weights: Float32Array[];
}

/**
 * Separable resampling taps from `inSize` to `outSize` samples. Shrinking averages each output pixel's
 * footprint (area filter: every source pixel contributes in proportion to its overlap, which is the
 * anti-aliasing); enlarging interpolates linearly. At equal sizes both are the identity.
 */
function taps(inSize: number, outSize: number): Taps {
  const ratio = inSize / outSize;
  const start = new Int32Array(outSize);
  const weights: Float32Array[] = [];
  for (let o = 0; o < outSize; o++) {
    const centre = (o + 0.5) * ratio;
    const reach = ratio >= 1 ? ratio / 2 : 1;
    const lo = Math.max(0, Math.floor(centre - reach));
    const hi = Math.min(inSize, Math.ceil(centre + reach));
    const ws = new Float32Array(Math.max(0, hi - lo));
    let sum = 0;
    for (let i = lo; i < hi; i++) {
      const t = ratio >= 1
        ? Math.max(0, Math.min(i + 1, centre + reach) - Math.max(i, centre - reach))
        : Math.max(0, 1 - Math.abs(i + 0.5 - centre));
      ws[i - lo] = t;
      sum += t;
    }
    if (sum > 0) for (let k = 0; k < ws.length; k++) ws[k] /= sum;
    start[o] = lo;
    weights.push(ws);
  }
  return { start, weights };
}

/** Resample the `box` region of a `srcW`-wide float picture to outW x outH (horizontal pass, then vertical). */
function resample(src: Float32Array, srcW: number, box: PixelBox, outW: number, outH: number): Float32Array {
  const tx = taps(box.width, outW);
  const ty = taps(box.height, outH);
  const mid = new Float32Array(outW * box.height);
  for (let y = 0; y < box.height; y++) {
    const row = (box.y + y) * srcW + box.x;
    for (let o = 0; o < outW; o++) {
      const ws = tx.weights[o];
      const s = row + tx.start[o];
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * src[s + k];
      mid[y * outW + o] = acc;
    }
  }
  const out = new Float32Array(outW * outH);
  for (let o = 0; o < outH; o++) {
    const ws = ty.weights[o];
    const s = ty.start[o];
    for (let x = 0; x < outW; x++) {
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * mid[(s + k) * outW + x];
      out[o * outW + x] = acc;
    }
  }
  return out;
}

/**
 * Paste the fitted digit (values 0..1, ink high) into the model's field with a whole-pixel shift that puts its
 * centre of mass at pixel (width/2, height/2), MNIST's convention (measured on the test set: mean centre of mass
 * 14.0, 14.0 in 0-based pixel indices), and map it to the contract's pixel range and ink polarity.
 * Whole-pixel shifts keep an MNIST digit's pixels exactly; ink pushed outside the field is cut off, as in MNIST.
 */
function placeByCentreOfMass(fitted: Float32Array, fw: number, fh: number, c: InputContract): Float32Array {
  let mass = 0, mx = 0, my = 0;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const v = fitted[y * fw + x];
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const cx = mass > 0 ? mx / mass : (fw - 1) / 2;
  const cy = mass > 0 ? my / mass : (fh - 1) / 2;
  const dx = Math.round(c.width / 2 - cx);
  const dy = Math.round(c.height / 2 - cy);
  const [lo, hi] = c.pixelRange;
  const background = c.ink === 'high' ? lo : hi;
  const out = new Float32Array(c.width * c.height).fill(background);
  const span = c.ink === 'high' ? hi - lo : lo - hi;
  for (let y = 0; y < fh; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= c.height) continue;
    for (let x = 0; x < fw; x++) {
      const tx = x + dx;
      if (tx < 0 || tx >= c.width) continue;
      out[ty * c.width + tx] = background + fitted[y * fw + x] * span;
    }
  }
  return out;
}
