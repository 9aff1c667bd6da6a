// The drawing surface of the page generators: ink coverage (0 paper .. 1 ink) per pixel, one layer each for
// the writing and for what is printed on the sheet, and an anti-aliased round pen. Written independently of
// bench/generate and of the training strokes, so that what is measured here was built another way.

/** A coverage layer, `width` x `height`, row-major. */
export interface Layer {
  width: number;
  height: number;
  data: Float32Array;
}

/** A fresh, empty layer. */
export function layer(width: number, height: number): Layer {
  return { width, height, data: new Float32Array(width * height) };
}

/** A point of a pen stroke with the pen's width there (pixels). */
export interface PenPoint {
  x: number;
  y: number;
  w: number;
}

/** Darken `into` at (x, y) to `c`, keeping the darker of the two (a second stroke over ink barely darkens it). */
function put(into: Layer, x: number, y: number, c: number): void {
  if (x < 0 || y < 0 || x >= into.width || y >= into.height || c <= 0) return;
  const i = y * into.width + x;
  if (c > into.data[i]) into.data[i] = Math.min(1, c);
}

/**
 * Draw one segment of a round pen from `a` to `b` (the width varies linearly along it), at darkness `ink`
 * (0..1): each pixel's coverage falls off over one pixel at the pen's edge.
 */
export function segment(into: Layer, a: PenPoint, b: PenPoint, ink: number): void {
  const r = Math.max(a.w, b.w) / 2 + 1;
  const x0 = Math.floor(Math.min(a.x, b.x) - r),
    x1 = Math.ceil(Math.max(a.x, b.x) + r);
  const y0 = Math.floor(Math.min(a.y, b.y) - r),
    y1 = Math.ceil(Math.max(a.y, b.y) + r);
  const dx = b.x - a.x,
    dy = b.y - a.y;
  const len2 = dx * dx + dy * dy;
  for (let y = Math.max(0, y0); y <= Math.min(into.height - 1, y1); y++) {
    for (let x = Math.max(0, x0); x <= Math.min(into.width - 1, x1); x++) {
      const px = x + 0.5 - a.x,
        py = y + 0.5 - a.y;
      const t = len2 > 0 ? Math.max(0, Math.min(1, (px * dx + py * dy) / len2)) : 0;
      const d = Math.hypot(px - t * dx, py - t * dy);
      const half = (a.w + t * (b.w - a.w)) / 2;
      put(into, x, y, ink * Math.max(0, Math.min(1, half - d + 0.5)));
    }
  }
}

/** Draw a pen stroke through `points`. */
export function stroke(into: Layer, points: PenPoint[], ink: number): void {
  if (points.length === 1) segment(into, points[0], points[0], ink);
  for (let i = 1; i < points.length; i++) segment(into, points[i - 1], points[i], ink);
}

/**
 * A ruled straight line of `thickness` pixels through (x, y) at `angle` radians, across the whole layer,
 * as a printer or a ruler draws it: constant darkness `ink`, soft by one pixel at its edges.
 */
export function ruledLine(into: Layer, x: number, y: number, angle: number, thickness: number, ink: number): void {
  const nx = -Math.sin(angle),
    ny = Math.cos(angle);
  const half = thickness / 2;
  const horizontal = Math.abs(ny) >= Math.abs(nx);
  const n = horizontal ? into.width : into.height;
  for (let s = 0; s < n; s++) {
    // the line's centre at this column (or row), then the pixels across it
    const c = horizontal
      ? y + ((s + 0.5 - x) * Math.sin(angle)) / Math.cos(angle)
      : x + ((s + 0.5 - y) * Math.cos(angle)) / Math.sin(angle);
    for (let o = Math.floor(c - half - 1); o <= Math.ceil(c + half + 1); o++) {
      const d = Math.abs(o + 0.5 - c) * (horizontal ? Math.abs(ny) : Math.abs(nx));
      const v = ink * Math.max(0, Math.min(1, half - d + 0.5));
      if (horizontal) put(into, s, o, v);
      else put(into, o, s, v);
    }
  }
}

/** A straight ruled segment from (x0, y0) to (x1, y1), square-ended, of `thickness` pixels. */
export function ruledSegment(
  into: Layer,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  thickness: number,
  ink: number,
): void {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const ux = (x1 - x0) / len,
    uy = (y1 - y0) / len;
  const half = thickness / 2;
  const bx0 = Math.floor(Math.min(x0, x1) - half - 1),
    bx1 = Math.ceil(Math.max(x0, x1) + half + 1);
  const by0 = Math.floor(Math.min(y0, y1) - half - 1),
    by1 = Math.ceil(Math.max(y0, y1) + half + 1);
  for (let y = by0; y <= by1; y++) {
    for (let x = bx0; x <= bx1; x++) {
      const px = x + 0.5 - x0,
        py = y + 0.5 - y0;
      const along = px * ux + py * uy;
      const across = Math.abs(-px * uy + py * ux);
      const cut = Math.max(across - half, -along - half, along - len - half);
      put(into, x, y, ink * Math.max(0, Math.min(1, 0.5 - cut)));
    }
  }
}

/** Paste `patch` (coverage) with its top-left at (x, y), keeping the darker value. */
export function pastePatch(into: Layer, patch: Layer, x: number, y: number): void {
  const ox = Math.round(x),
    oy = Math.round(y);
  for (let py = 0; py < patch.height; py++)
    for (let px = 0; px < patch.width; px++) put(into, ox + px, oy + py, patch.data[py * patch.width + px]);
}
