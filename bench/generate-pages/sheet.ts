// A sheet of paper with what is printed on it and what is written on it, turned into the bytes of a picture:
// a flatbed scan (grey PNG, clean) or a phone photo (colour JPEG, tinted paper, uneven light, noise, blur).
import sharp from 'sharp';
import type { Rand } from '../generate/seed.js';
import type { Layer } from './canvas.js';

// Sensor noise is looked up rather than drawn: a photo needs hundreds of thousands of normal deviates.
const NOISE = (() => {
  const t = new Float32Array(4096);
  let s = 0x9e3779b9;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) + 0.5) / 4294967296;
  };
  for (let i = 0; i < t.length; i++) t[i] = Math.sqrt(-2 * Math.log(next())) * Math.cos(2 * Math.PI * next());
  return t;
})();

/** A layer of the sheet and the colour its full coverage has. */
export interface Print {
  layer: Layer;
  rgb: [number, number, number];
  /** The colour is a fraction (0..1 per channel) of the paper's: printed lines stay visible on dim paper. */
  relative?: boolean;
}

/** How the sheet is captured. */
export type Capture = 'scan' | 'photo';

/**
 * Compose `prints` (printed lines first, the writing last) over paper and capture it: PNG for a scan, JPEG for
 * a photo. Every choice (paper, light, noise, blur, quality) is drawn from `rand`.
 */
export async function captureSheet(prints: Print[], capture: Capture, rand: Rand): Promise<Buffer> {
  const { width, height } = prints[0].layer;
  const n = width * height;
  const paperGrey = capture === 'scan' ? rand.uniform(238, 255) : rand.uniform(160, 230);
  const tint = capture === 'scan' ? 0 : rand.uniform(-0.05, 0.05);
  const paper = [paperGrey * (1 + tint), paperGrey, paperGrey * (1 - tint)].map((v) => Math.min(255, v));
  const rgb = new Float32Array(3 * n);
  for (let i = 0; i < n; i++) rgb.set(paper, 3 * i);
  for (const p of prints) {
    const colour = p.relative ? p.rgb.map((f, ch) => f * paper[ch]) : p.rgb;
    for (let i = 0; i < n; i++) {
      const c = p.layer.data[i];
      if (c <= 0) continue;
      for (let ch = 0; ch < 3; ch++) rgb[3 * i + ch] += c * (Math.min(colour[ch], rgb[3 * i + ch]) - rgb[3 * i + ch]);
    }
  }
  if (capture === 'scan') {
    const grey = Buffer.alloc(n);
    for (let i = 0; i < n; i++)
      grey[i] = Math.round(0.299 * rgb[3 * i] + 0.587 * rgb[3 * i + 1] + 0.114 * rgb[3 * i + 2]);
    return sharp(grey, { raw: { width, height, channels: 1 } })
      .png()
      .toBuffer();
  }
  // light falls off towards one corner; the sensor adds noise
  const fall = rand.uniform(0.04, 0.16);
  const phi = rand.uniform(0, 2 * Math.PI);
  const gx = Math.cos(phi) / width,
    gy = Math.sin(phi) / height;
  const sigma = rand.uniform(1, 4);
  const out = Buffer.alloc(3 * n);
  let s = (rand() * 4294967296) >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = 1 - fall * (0.5 + (x - width / 2) * gx + (y - height / 2) * gy);
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const noise = sigma * NOISE[s & 4095];
      const i = y * width + x;
      for (let ch = 0; ch < 3; ch++)
        out[3 * i + ch] = Math.max(0, Math.min(255, Math.round(rgb[3 * i + ch] * light + noise)));
    }
  }
  return sharp(out, { raw: { width, height, channels: 3 } })
    .blur(rand.uniform(0.4, 0.9))
    .jpeg({ quality: rand.int(65, 92) })
    .toBuffer();
}

/** Pens the digits are written with (dark enough on any paper above). */
export function penColour(rand: Rand): [number, number, number] {
  const kind = rand.int(0, 2);
  if (kind === 0) {
    const g = rand.uniform(10, 50);
    return [g, g, g];
  }
  if (kind === 1) return [rand.uniform(15, 45), rand.uniform(25, 55), rand.uniform(90, 140)];
  const g = rand.uniform(40, 75);
  return [g + 5, g, g - 5];
}
