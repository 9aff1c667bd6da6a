import { inkScale, type InputContract } from './runtime.js';

/** Probabilities from WebGPU may differ from WASM's by rounding; anything past this is a wrong result. */
export const SELF_CHECK_TOLERANCE = 1e-4;

/** Number of probe pictures in the self-check batch. */
export const PROBE_COUNT = 4;

/**
 * A fixed batch of probe pictures in the contract's input format (background and ink at the ends of its
 * pixel range): seeded noise, sparse speckle, a bar and a ring. Different shapes drive different paths through
 * the convolutions, so a kernel that miscomputes shows up as differing probabilities.
 */
export function probeBatch(c: InputContract): Float32Array {
  const { background: bg, ink } = inkScale(c);
  const n = c.height * c.width;
  const out = new Float32Array(PROBE_COUNT * n).fill(bg);
  let s = 12345;
  const rand = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  const cy = (c.height - 1) / 2,
    cx = (c.width - 1) / 2,
    r = Math.min(c.height, c.width) * 0.3;
  for (let y = 0; y < c.height; y++) {
    for (let x = 0; x < c.width; x++) {
      const i = y * c.width + x;
      out[i] = bg + (ink - bg) * rand();
      if (rand() < 0.2) out[n + i] = ink;
      if (Math.abs(x - cx) < c.width * 0.08 && Math.abs(y - cy) < c.height * 0.35) out[2 * n + i] = ink;
      if (Math.abs(Math.hypot(y - cy, x - cx) - r) < 1.5) out[3 * n + i] = ink;
    }
  }
  return out;
}

/** Largest absolute element-wise difference (NaN counts as infinitely different). */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = Number.isNaN(d) ? Infinity : d;
  }
  return m;
}
