/**
 * Where a glyph much wider than a character might be two touching characters: cut columns at the low
 * points of its vertical ink profile (the least ink to cut through). Whether to cut is the network's call.
 */
import type { InkMap } from '../ink/find.js';
import { glyphWidth, type Glyph } from './glyph.js';

/** Glyphs at least this many character heights wide may be two characters. */
export const SPLIT_MIN_WIDTH = 0.9;
/** Each side of a cut keeps at least this fraction of the character height. */
const MIN_SIDE = 0.15;
/** Cut candidates tried per glyph. */
const MAX_CUTS = 3;

/**
 * Candidate cut columns of `g` (the left half keeps columns up to and including the cut), best first.
 * @param height the line's character height.
 */
export function cutColumns(map: InkMap, g: Glyph, height: number): number[] {
  const w = glyphWidth(g);
  if (w < SPLIT_MIN_WIDTH * height) return [];
  const keep = new Uint8Array(map.pieces.length + 1);
  for (const l of g.labels) keep[l] = 1;
  const profile = new Float64Array(w);
  const { strength, labels, owner, width } = map;
  for (let y = g.y0; y <= g.y1; y++) {
    const row = y * width;
    for (let x = g.x0; x <= g.x1; x++) {
      const l = labels[row + x];
      if (l && keep[owner[l]]) profile[x - g.x0] += strength[row + x];
    }
  }
  // A 3-column average keeps single-column dips of a ragged stroke from posing as gaps.
  const smooth = new Float64Array(w);
  for (let i = 0; i < w; i++) smooth[i] = (profile[Math.max(0, i - 1)] + profile[i] + profile[Math.min(w - 1, i + 1)]) / 3;
  const margin = Math.max(1, Math.round(MIN_SIDE * height));
  const minima: number[] = [];
  for (let i = margin; i < w - margin; i++) {
    if (smooth[i] <= smooth[i - 1] && smooth[i] <= smooth[i + 1]) minima.push(i);
  }
  // Prefer low ink, and among equals the middle (two characters are more often alike in width).
  const cost = (i: number) => smooth[i] * (1 + Math.abs(i - w / 2) / w);
  minima.sort((a, b) => cost(a) - cost(b));
  const picked: number[] = [];
  for (const i of minima) {
    if (picked.every((p) => Math.abs(p - i) >= margin)) picked.push(i);
    if (picked.length === MAX_CUTS) break;
  }
  return picked.map((i) => g.x0 + i);
}

/** The two halves of `g` cut after column `cut`. */
export function splitGlyph(g: Glyph, cut: number): [Glyph, Glyph] {
  const [from, to] = g.cols ?? [g.x0, g.x1];
  return [
    { ...g, x1: cut, cols: [from, cut] },
    { ...g, x0: cut + 1, cols: [cut + 1, to] },
  ];
}
