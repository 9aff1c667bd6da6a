/**
 * A glyph is one candidate character of a line: some ink pieces of an {@link InkMap} (by label) and, for
 * the sides of a cut, the columns it keeps per row. Glyphs are cheap descriptions; pixels are only read when
 * one is cropped for the network.
 */
import type { InkComponent, InkMap } from '../ink/find.js';
import { cropInk, fitToContract, type InkCrop, type RowSpan } from '../ink/fit.js';
import type { InputContract } from '../contract.js';

/** One candidate character. Coordinates are inclusive source pixels. */
export interface Glyph {
  labels: number[];
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  mass: number;
  /** Per-row columns kept when the glyph is one side of a cut through touching characters. */
  span?: RowSpan;
}

/** The glyph of one ink piece. */
export function glyphOf(p: InkComponent): Glyph {
  return { labels: [p.label], x0: p.x0, y0: p.y0, x1: p.x1, y1: p.y1, mass: p.mass };
}

/** Two glyphs as one (their pieces together, no column limit). */
export function joinGlyphs(a: Glyph, b: Glyph): Glyph {
  return {
    labels: [...a.labels, ...b.labels],
    x0: Math.min(a.x0, b.x0),
    y0: Math.min(a.y0, b.y0),
    x1: Math.max(a.x1, b.x1),
    y1: Math.max(a.y1, b.y1),
    mass: a.mass + b.mass,
  };
}

/** Width of a glyph's box in working pixels. */
export const glyphWidth = (g: Glyph): number => g.x1 - g.x0 + 1;
/** Height of a glyph's box in working pixels. */
export const glyphHeight = (g: Glyph): number => g.y1 - g.y0 + 1;

/** Columns between two glyphs side by side (negative when their x-ranges overlap). */
export function xGap(a: Glyph, b: Glyph): number {
  return Math.max(a.x0, b.x0) - Math.min(a.x1, b.x1) - 1;
}

/** Cut a glyph's ink out of the map (its pieces, their attached specks, its columns). */
export function cropGlyph(map: InkMap, g: Glyph): InkCrop | null {
  const keep = new Uint8Array(map.pieces.length + 1);
  for (const l of g.labels) keep[l] = 1;
  return cropInk(map, keep, g.span);
}

/** The model input of a glyph, by the same MNIST fit as single-digit preprocessing. */
export function glyphInput(
  map: InkMap,
  g: Glyph,
  contract: InputContract,
): { input: Float32Array; crop: InkCrop } | null {
  const crop = cropGlyph(map, g);
  if (!crop) return null;
  return { input: fitToContract(crop, contract), crop };
}
