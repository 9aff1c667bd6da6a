/** Result of {@link compareFloats}. */
export interface Comparison {
  ok: boolean;
  maxAbs: number;
  maxRel: number;
  /** Index of the element farthest outside the tolerance (or with the largest |diff| if all pass). */
  worstIndex: number;
}

/**
 * Element-wise closeness: each pair passes when |a-b| <= atol OR |a-b| <= rtol * |b|.
 * Reports the worst index so a failure points at the element to look at.
 */
export function compareFloats(a: ArrayLike<number>, b: ArrayLike<number>, atol: number, rtol: number): Comparison {
  if (a.length !== b.length) throw new Error(`length mismatch: ${a.length} vs ${b.length}`);
  let maxAbs = 0,
    maxRel = 0,
    worst = -1,
    worstExcess = -Infinity,
    ok = true;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    const rel = d / Math.max(Math.abs(b[i]), 1e-30);
    if (!(d <= atol || d <= rtol * Math.abs(b[i]))) ok = false;
    const excess = Math.min(d - atol, d - rtol * Math.abs(b[i]));
    if (excess > worstExcess || Number.isNaN(d)) {
      worstExcess = excess;
      worst = i;
    }
    if (d > maxAbs || Number.isNaN(d)) maxAbs = d;
    if (rel > maxRel) maxRel = rel;
  }
  return { ok, maxAbs, maxRel, worstIndex: worst };
}

/** Largest |a - b| over the largest |b|: a difference relative to the output's scale. */
export function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0,
    scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / Math.max(scale, 1e-30);
}
