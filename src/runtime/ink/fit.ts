/**
 * MNIST's recipe for one character: crop to its ink, scale the longer side into a 20/28 box with
 * anti-aliasing, stretch the contrast so the strongest ink is full scale, and place the centre of mass at
 * the centre of the field. It works on grey ink strength, not a mask, so strokes keep their soft edges.
 */
import { inkScale, type InputContract } from '../contract.js';
import type { InkMap } from './find.js';
import type { PixelBox } from './image.js';
import { STROKE_SHARE } from './ink-thresholds.js';

/** MNIST's digits were fitted into a 20x20 box inside the 28x28 field. */
export const MNIST_BOX_FRACTION = 20 / 28;

/** The ink of one character, cut out of an {@link InkMap}. */
export interface InkCrop {
  /** Tight box of the ink in source pixels. */
  box: PixelBox;
  /** `box.width * box.height` strengths, row-major; pixels of other pieces are 0. */
  data: Float32Array;
  /** Strongest value in `data`. */
  peak: number;
}

/** Per-row column limits: row `y0 + i` keeps columns `from[i]..to[i]` (inclusive); other rows keep none. */
export interface RowSpan {
  y0: number;
  from: Int32Array;
  to: Int32Array;
}

/**
 * Cut out the ink of the pieces whose owner is marked in `keep` (indexed by label), limited to `span` when
 * given (one side of a cut between touching characters), as a tight crop.
 * @returns null when no kept pixel lies in the span.
 */
export function cropInk(map: InkMap, keep: Uint8Array, span?: RowSpan): InkCrop | null {
  const { width: w, strength, labels, owner } = map;
  // The rows and columns to scan come from the kept pieces' own boxes, so a crop costs its area, not the picture's.
  let bx0 = w,
    bx1 = -1,
    by0 = map.height,
    by1 = -1;
  for (const p of map.pieces) {
    if (!keep[owner[p.label]]) continue;
    if (p.y0 < by0) by0 = p.y0;
    if (p.y1 > by1) by1 = p.y1;
    if (p.x0 < bx0) bx0 = p.x0;
    if (p.x1 > bx1) bx1 = p.x1;
  }
  if (span) {
    by0 = Math.max(by0, span.y0);
    by1 = Math.min(by1, span.y0 + span.from.length - 1);
  }
  let x0 = w,
    x1 = -1,
    y0 = map.height,
    y1 = -1;
  for (let y = by0; y <= by1; y++) {
    const row = y * w;
    const from = span ? Math.max(bx0, span.from[y - span.y0]) : bx0;
    const to = span ? Math.min(bx1, span.to[y - span.y0]) : bx1;
    for (let x = from; x <= to; x++) {
      const l = labels[row + x];
      if (l && keep[owner[l]]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const data = new Float32Array(bw * bh);
  let peak = 0;
  for (let y = 0; y < bh; y++) {
    const row = (y0 + y) * w;
    const from = span ? Math.max(x0, span.from[y0 + y - span.y0]) : x0;
    const to = span ? Math.min(x1, span.to[y0 + y - span.y0]) : x1;
    for (let x = from; x <= to; x++) {
      const l = labels[row + x];
      if (l && keep[owner[l]]) {
        const s = strength[row + x];
        data[y * bw + x - x0] = s;
        if (s > peak) peak = s;
      }
    }
  }
  return { box: { x: x0, y: y0, width: bw, height: bh }, data, peak: map.noise > 0 ? strokeLevel(data, peak) : peak };
}

/**
 * The level of a character's stroke cores: in a noisy picture the single strongest pixel is the noise's
 * pick, and stretching to it would leave the strokes grey where MNIST's cores are saturated. The level is
 * taken where the strongest STROKE_SHARE of the ink pixels begins.
 */
function strokeLevel(data: Float32Array, peak: number): number {
  const hist = new Uint32Array(256);
  const toBin = 255 / peak;
  let n = 0;
  for (let i = 0; i < data.length; i++) {
    const v = data[i];
    if (v > 0) {
      hist[Math.min(255, (v * toBin) | 0)]++;
      n++;
    }
  }
  let acc = 0;
  for (let b = 255; b >= 0; b--) {
    acc += hist[b];
    if (acc >= STROKE_SHARE * n) return Math.max(1e-6, (b + 0.5) / toBin);
  }
  return peak;
}

/** A box of the map's working pixels in source pixels (working pixels cover `map.scale` source pixels each). */
export function sourceBox(map: InkMap, box: PixelBox): PixelBox {
  const f = map.scale;
  return { x: box.x * f, y: box.y * f, width: box.width * f, height: box.height * f };
}

/**
 * True when `box` (source pixels) reaches the edge of a `width` x `height` picture; `slack` source pixels
 * (the working scale's rounding: `map.scale - 1`) count as reaching it.
 */
export function touchesEdge(box: PixelBox, width: number, height: number, slack = 0): boolean {
  return box.x <= slack || box.y <= slack || box.x + box.width >= width - slack || box.y + box.height >= height - slack;
}

/**
 * The model input for one cropped character (see the file comment), in the contract's pixel range and
 * ink polarity.
 * @param boxFraction side of the box the longer side is scaled to, as a fraction of the model's side.
 * @param into where to write the input (`contract.width * contract.height` values, every one written), e.g. a
 *   picture's place in a batch; default: a new array.
 */
export function fitToContract(
  crop: InkCrop,
  contract: InputContract,
  boxFraction = MNIST_BOX_FRACTION,
  into?: Float32Array,
): Float32Array {
  const { box, data, peak } = crop;
  const side = Math.min(contract.width, contract.height);
  const boxSide = Math.max(1, Math.round(side * boxFraction));
  const scale = boxSide / Math.max(box.width, box.height);
  const outW = Math.min(contract.width, Math.max(1, Math.round(box.width * scale)));
  const outH = Math.min(contract.height, Math.max(1, Math.round(box.height * scale)));
  return placeByCentreOfMass(resample(data, box.width, box.height, outW, outH), outW, outH, contract, peak, into);
}

/** Per output index: the first source index and the normalised weights of the source pixels it mixes. */
export interface Taps {
  start: Int32Array;
  weights: Float32Array[];
}

/**
 * Separable resampling taps from `inSize` to `outSize` samples. Shrinking averages each output pixel's
 * footprint (area filter: every source pixel contributes in proportion to its overlap, which is the
 * anti-aliasing); enlarging interpolates linearly. At equal sizes both are the identity.
 */
export function taps(inSize: number, outSize: number): Taps {
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
      const t =
        ratio >= 1
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

/** Taps already made, by `inSize * TAPS_KEY + outSize`: characters come in few sizes, and taps cost more than their use. */
const tapsCache = new Map<number, Taps>();
const TAPS_KEY = 1 << 16;
/** Sizes are cached up to this side, and at most this many pairs (then the cache starts again). */
const TAPS_CACHE_SIDE = 4096;
const TAPS_CACHE_ENTRIES = 4096;

/** {@link taps}, from the cache when the sizes were seen before; the result must not be changed. */
function cachedTaps(inSize: number, outSize: number): Taps {
  if (inSize > TAPS_CACHE_SIDE || outSize > TAPS_CACHE_SIDE) return taps(inSize, outSize);
  const key = inSize * TAPS_KEY + outSize;
  let t = tapsCache.get(key);
  if (!t) {
    if (tapsCache.size >= TAPS_CACHE_ENTRIES) tapsCache.clear();
    t = taps(inSize, outSize);
    tapsCache.set(key, t);
  }
  return t;
}

/**
 * The intermediate pictures of a fit (the two of {@link resample}, and the stretched values of
 * placeByCentreOfMass), reused from character to character: each is used up before the next fit, and a new
 * typed array per step is a separate allocation outside the heap, which for a small character costs more than
 * filling it.
 */
const resampled = { mid: new Float32Array(1024), out: new Float32Array(1024), stretched: new Float32Array(1024) };
/** Intermediate pictures larger than this (values) get arrays of their own, so no huge buffer stays alive. */
const RESAMPLED_MAX = 1 << 20;

/** `n` values of the reused intermediate picture `which`, contents undefined. */
function scratch(which: keyof typeof resampled, n: number): Float32Array {
  if (n > RESAMPLED_MAX) return new Float32Array(n);
  if (resampled[which].length < n) resampled[which] = new Float32Array(Math.max(n, 2 * resampled[which].length));
  return resampled[which].subarray(0, n);
}

/**
 * Resample a `srcW` x `srcH` float picture to outW x outH (horizontal pass, then vertical). A pass between equal
 * sizes is skipped: its taps are the single weight 1, so it would copy every value exactly; with both skipped the
 * result is `src` itself, so it must not be changed. The result may be a reused buffer: it is valid until the
 * next call.
 */
function resample(src: Float32Array, srcW: number, srcH: number, outW: number, outH: number): Float32Array {
  if (srcW === outW && srcH === outH) return src;
  const tx = cachedTaps(srcW, outW);
  const ty = cachedTaps(srcH, outH);
  const mid = srcW === outW ? src : horizontalPass(src, srcW, srcH, outW, tx);
  if (srcH === outH) return mid;
  const out = scratch('out', outW * outH);
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

function horizontalPass(src: Float32Array, srcW: number, srcH: number, outW: number, tx: Taps): Float32Array {
  const mid = scratch('mid', outW * srcH);
  for (let y = 0; y < srcH; y++) {
    const row = y * srcW;
    for (let o = 0; o < outW; o++) {
      const ws = tx.weights[o];
      const s = row + tx.start[o];
      let acc = 0;
      for (let k = 0; k < ws.length; k++) acc += ws[k] * src[s + k];
      mid[y * outW + o] = acc;
    }
  }
  return mid;
}

/**
 * A fitted value stretched so `peak` is 1, capped there, rounded to a float as a Float32Array would store it
 * (so storing it in one and reading it back gives the very same number).
 */
function stretched(v: number, peak: number): number {
  return Math.fround(Math.min(1, v / peak));
}

/**
 * Paste the fitted character, stretched so `peak` is full scale (0..1, ink high), into the model's field with
 * a whole-pixel shift that puts its centre of mass at pixel (width/2, height/2), MNIST's convention (0-based
 * pixel indices), and map it to the contract's pixel range and ink polarity. Whole-pixel shifts keep an MNIST digit's pixels
 * exactly; ink pushed outside the field is cut off, as in MNIST.
 */
function placeByCentreOfMass(
  fitted: Float32Array,
  fw: number,
  fh: number,
  c: InputContract,
  peak: number,
  into?: Float32Array,
): Float32Array {
  // each value is stretched once (a division) and kept in a reused buffer for the paste below
  const values = scratch('stretched', fw * fh);
  let mass = 0,
    mx = 0,
    my = 0;
  for (let y = 0; y < fh; y++) {
    for (let x = 0; x < fw; x++) {
      const v = stretched(fitted[y * fw + x], peak);
      values[y * fw + x] = v;
      mass += v;
      mx += x * v;
      my += y * v;
    }
  }
  const cx = mass > 0 ? mx / mass : (fw - 1) / 2;
  const cy = mass > 0 ? my / mass : (fh - 1) / 2;
  const dx = Math.round(c.width / 2 - cx);
  const dy = Math.round(c.height / 2 - cy);
  const { background, span } = inkScale(c);
  let out: Float32Array;
  if (into) {
    if (into.length !== c.width * c.height)
      throw new RangeError(`fitToContract: 'into' holds ${into.length} values, the contract ${c.width * c.height}`);
    out = into.fill(background);
  } else {
    out = new Float32Array(c.width * c.height);
    if (background !== 0) out.fill(background);
  }
  for (let y = 0; y < fh; y++) {
    const ty = y + dy;
    if (ty < 0 || ty >= c.height) continue;
    for (let x = 0; x < fw; x++) {
      const tx = x + dx;
      if (tx < 0 || tx >= c.width) continue;
      out[ty * c.width + tx] = background + values[y * fw + x] * span;
    }
  }
  return out;
}

/**
 * The crop sheared along its rows: row `y` moves `-shear * (y - middle row)` pixels, so a positive `shear`
 * leans the character further right (its top moves right, its foot left). Values are split between the two
 * columns a moved pixel falls across, so no ink is lost; the box is the sheared ink's, wider than the crop by
 * up to `|shear|` times its height.
 */
export function shearCrop(crop: InkCrop, shear: number): InkCrop {
  const { data, box } = crop;
  // one row leans nowhere: every row would move alike
  if (box.height === 1) return crop;
  const w = box.width,
    h = box.height;
  const middle = (h - 1) / 2;
  const extra = Math.ceil(Math.abs(shear) * middle) + 1;
  const wide = w + 2 * extra;
  const out = new Float32Array(wide * h);
  let x0 = wide,
    x1 = -1;
  for (let y = 0; y < h; y++) {
    const shift = extra - shear * (y - middle);
    const whole = Math.floor(shift),
      part = shift - whole;
    for (let x = 0; x < w; x++) {
      const v = data[y * w + x];
      if (v === 0) continue;
      const at = y * wide + x + whole;
      out[at] += v * (1 - part);
      out[at + 1] += v * part;
    }
  }
  for (let y = 0; y < h; y++)
    for (let x = 0; x < wide; x++)
      if (out[y * wide + x] > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
      }
  if (x1 < 0) return crop;
  const bw = x1 - x0 + 1;
  const tight = new Float32Array(bw * h);
  for (let y = 0; y < h; y++) tight.set(out.subarray(y * wide + x0, y * wide + x1 + 1), y * bw);
  return { box: { x: box.x + x0 - extra, y: box.y, width: bw, height: h }, data: tight, peak: crop.peak };
}

/**
 * The crop scaled along its rows by `factor` (above 1 wider, below 1 narrower), resampled as a fit resamples
 * (area taps when narrowing, linear ones when widening); the height and the left edge stay. `peak` (the
 * crop's stroke level, below its brightest pixel on a noisy picture) falls as much as the brightest value
 * does, so a stroke thinned by narrowing stays as strong against the stroke level as before. The crop itself
 * when the width would not change.
 */
export function stretchCrop(crop: InkCrop, factor: number): InkCrop {
  const { data, box } = crop;
  const w = box.width,
    h = box.height;
  const nw = Math.max(1, Math.round(w * factor));
  if (nw === w) return crop;
  // resample's result is a reused buffer: the crop keeps a copy
  const out = resample(data, w, h, nw, h).slice(0, nw * h);
  let before = 0,
    after = 0;
  for (const v of data) if (v > before) before = v;
  for (const v of out) if (v > after) after = v;
  const peak = before > 0 ? (crop.peak * after) / before : crop.peak;
  return { box: { x: box.x, y: box.y, width: nw, height: h }, data: out, peak };
}
