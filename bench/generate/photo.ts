// How a phone photo of a sheet of paper turns ink coverage into pixels: tinted paper, a dark pen, light
// that is uneven across the sheet, sometimes a soft shadow, sensor noise, a little blur and JPEG.
import sharp from 'sharp';
import { seededRandom } from '../../src/train/data/rng.js';
import type { Rand } from './seed.js';

// Normal deviates looked up rather than drawn: a 640x480 photo needs several hundred thousand, and a table
// indexed by the item's own stream keeps generation within a few milliseconds while staying deterministic.
const NOISE_BITS = 12;
const NOISE = (() => {
  const r = seededRandom(0x5eed);
  const t = new Float32Array(1 << NOISE_BITS);
  for (let i = 0; i < t.length; i++) t[i] = Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
  return t;
})();
const NOISE_MASK = (1 << NOISE_BITS) - 1;

/** Pens people write digits with; every one stays dark against any paper drawn below. */
const PENS: ((rand: Rand) => [number, number, number])[] = [
  (rand) => {
    const g = rand.uniform(12, 45);
    return [g, g, g + rand.uniform(0, 8)];
  }, // black ballpoint / felt
  (rand) => [rand.uniform(20, 45), rand.uniform(30, 55), rand.uniform(85, 125)], // blue ballpoint
  (rand) => {
    const g = rand.uniform(35, 60);
    return [g + 6, g, g - 4];
  }, // soft pencil, dark
];

/** The most the light may brighten or darken the paper from one side of the sheet to its centre. */
export const MAX_GRADIENT_LEVELS = 20;

/**
 * Photograph a sheet whose ink coverage (0 paper .. 1 ink, `width` x `height`) is given: returns the JPEG
 * bytes. Every choice (paper, pen, light, shadow, noise, blur, quality) is drawn from `rand`.
 */
export async function photograph(coverage: Float32Array, width: number, height: number, rand: Rand): Promise<Buffer> {
  const grey = rand.uniform(165, 235);
  const tint = rand.uniform(-0.06, 0.06); // warm (yellowish) paper above 0, cool below
  const paper = [
    Math.min(255, grey * (1 + tint)),
    Math.min(255, grey * (1 + 0.3 * tint)),
    Math.min(255, grey * (1 - tint)),
  ];
  const pen = PENS[rand.int(0, PENS.length - 1)](rand);
  const strength = rand.uniform(0.85, 1);

  // The gradient is a plane through the sheet's centre reaching +-levels at the farthest corner.
  const levels = rand.uniform(6, MAX_GRADIENT_LEVELS);
  const phi = rand.uniform(0, 2 * Math.PI);
  const gx = Math.cos(phi),
    gy = Math.sin(phi);
  const reach = (Math.abs(gx) * width) / 2 + (Math.abs(gy) * height) / 2;
  const slope = levels / grey / reach;

  // An optional shadow (a hand or the phone) falls in from one side with a soft edge.
  const shadow = rand.chance(0.35);
  const sPsi = rand.uniform(0, 2 * Math.PI);
  const sx = Math.cos(sPsi),
    sy = Math.sin(sPsi);
  const sReach = (Math.abs(sx) * width) / 2 + (Math.abs(sy) * height) / 2;
  const sEdge = rand.uniform(0.2, 0.8) * sReach; // where the shadow is half strength, from the centre
  const sSoft = rand.uniform(0.15, 0.4) * sReach;
  const sDepth = shadow ? rand.uniform(0.05, 0.14) : 0;

  const sigma = rand.uniform(1.5, 4);
  const blur = rand.uniform(0.5, 1.0);
  const quality = rand.int(60, 90);

  const rgb = Buffer.alloc(width * height * 3);
  const cx = width / 2,
    cy = height / 2;
  const [p0, p1, p2] = paper;
  const d0 = pen[0] - p0,
    d1 = pen[1] - p1,
    d2 = pen[2] - p2;
  const chromaScale = 0.3 * sigma;
  // The noise stream runs inline (xorshift32 seeded from the item's stream): a call per pixel into the
  // shared stream would dominate the time a picture takes.
  let s = (rand() * 4294967296) >>> 0 || 1;
  for (let y = 0; y < height; y++) {
    const dy = y + 0.5 - cy;
    const rowLight = 1 + slope * gy * dy;
    const rowShade = sy * dy - sEdge;
    for (let x = 0; x < width; x++) {
      const dx = x + 0.5 - cx;
      let light = rowLight + slope * gx * dx;
      if (shadow) {
        let t = (sx * dx + rowShade) / sSoft + 0.5;
        t = t < 0 ? 0 : t > 1 ? 1 : t;
        light *= 1 - sDepth * t * t * (3 - 2 * t);
      }
      const i = y * width + x;
      const a = coverage[i] * strength;
      s ^= s << 13;
      s ^= s >>> 17;
      s ^= s << 5;
      const lum = NOISE[s & NOISE_MASK] * sigma;
      const chroma = NOISE[(s >>> NOISE_BITS) & NOISE_MASK] * chromaScale;
      const o = 3 * i;
      const r = (p0 + d0 * a) * light + lum + chroma;
      const g = (p1 + d1 * a) * light + lum;
      const b = (p2 + d2 * a) * light + lum - chroma;
      // Buffer stores clamp and truncate; +0.5 makes it round.
      rgb[o] = r < 0 ? 0 : r > 255 ? 255 : r + 0.5;
      rgb[o + 1] = g < 0 ? 0 : g > 255 ? 255 : g + 0.5;
      rgb[o + 2] = b < 0 ? 0 : b > 255 ? 255 : b + 0.5;
    }
  }
  return sharp(rgb, { raw: { width, height, channels: 3 } })
    .blur(blur)
    .jpeg({ quality })
    .toBuffer();
}
