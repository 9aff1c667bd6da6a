// One random stream per (generator, seed, index), so item 7 of a set does not depend on items 0-6 and a
// bench can make any slice of a set in any order.
import { seededRandom } from '../../src/train/data/rng.js';

/** Uniform floats in [0, 1) plus the draws the generators keep asking for. */
export interface Rand {
  (): number;
  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number;
  /** Integer in [lo, hi], both ends included. */
  int(lo: number, hi: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** Standard normal. */
  normal(): number;
}

// A 32-bit integer mix (murmur3's finaliser): nearby seeds and indices must not give related streams, which
// feeding seed + index straight into mulberry32 would risk.
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function saltOf(name: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * The random stream of item `index` of the set `seed` made by generator `salt` (a name such as
 * 'photo-digit'), built on the project's mulberry32.
 */
export function streamFor(salt: string, seed: number, index: number): Rand {
  const base = seededRandom(mix(mix(mix(saltOf(salt)) ^ (seed >>> 0)) ^ (index >>> 0)));
  const r = base as Rand;
  r.uniform = (lo, hi) => lo + (hi - lo) * base();
  r.int = (lo, hi) => lo + Math.floor(base() * (hi - lo + 1));
  r.chance = (p) => base() < p;
  r.normal = () => {
    const u = 1 - base();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * base());
  };
  return r;
}
