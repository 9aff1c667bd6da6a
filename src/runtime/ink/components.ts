/**
 * 8-connected components of the pixels that carry ink (strength > 0), with the few statistics the ink
 * finder and the segmenter decide on. Two passes over the picture with a union-find of provisional labels,
 * so the cost is one scan plus work proportional to the ink.
 */

/** One connected piece of ink. Coordinates are inclusive source pixels. */
export interface InkComponent {
  /** Label in {@link ComponentMap.labels}, 1-based. */
  label: number;
  x0: number;
  y0: number;
  x1: number;
  y1: number;
  /** Pixels in the piece. */
  area: number;
  /** Sum of ink strength over the piece. */
  mass: number;
  /** Strongest pixel of the piece. */
  peak: number;
}

/** Per-pixel labels (0 = no ink) and the components they index (`components[label - 1]`). */
export interface ComponentMap {
  labels: Int32Array;
  components: InkComponent[];
}

/**
 * Provisional-label tables kept between pictures (every entry used is written first, or cleared), grown by
 * doubling: one per run start at most, but ink is usually sparse. Allocating them per picture cost as much
 * as labelling a small picture.
 */
const scratch = { parent: new Int32Array(1024), compact: new Int32Array(1024) };

/** Options of {@link labelComponents}: work the ink finder would otherwise do in passes of its own. */
export interface LabelOptions {
  /** Where to write the labels: `width * height` zeros (default: a new array). */
  into?: Int32Array;
  /** Pixels weaker than this are no ink: set to 0 in `strength` as the scan passes them. Default 0 (none). */
  cut?: number;
  /**
   * 256 zeros, filled with the number of labelled pixels per whole level of strength (255 and above in the
   * last bin): the histogram {@link otsuThreshold} takes of the same pixels.
   */
  levels?: Float64Array;
}

/**
 * Label the 8-connected components of `strength > 0` in a `width` x `height` picture.
 * @param strength ink strength per pixel, row-major; 0 (or less) is background.
 */
export function labelComponents(
  strength: Float32Array,
  width: number,
  height: number,
  o: LabelOptions = {},
): ComponentMap {
  const labels = o.into ?? new Int32Array(width * height);
  const cut = o.cut ?? 0;
  const levels = o.levels;
  let parent = scratch.parent;
  let next = 1;
  // The rows and columns that hold ink: the second pass looks only there.
  let inkX0 = width,
    inkX1 = -1,
    inkY0 = height,
    inkY1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    const up = row - width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      const v = strength[i];
      if (!(v > 0)) continue;
      if (v < cut) {
        strength[i] = 0;
        continue;
      }
      // Neighbours already visited: left, and the three above.
      let l = 0;
      if (x > 0) l = labels[i - 1];
      if (y > 0) {
        const a = labels[up + x];
        if (a) l = l ? union(parent, l, a) : a;
        if (x > 0) {
          const b = labels[up + x - 1];
          if (b) l = l ? union(parent, l, b) : b;
        }
        if (x + 1 < width) {
          const c = labels[up + x + 1];
          if (c) l = l ? union(parent, l, c) : c;
        }
      }
      if (!l) {
        if (next >= parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = scratch.parent = grown;
        }
        parent[next] = next;
        l = next++;
      }
      labels[i] = l;
      if (x < inkX0) inkX0 = x;
      if (x > inkX1) inkX1 = x;
      if (y < inkY0) inkY0 = y;
      inkY1 = y;
    }
  }
  // Compact roots to 1..n in order of first appearance (top to bottom, left to right).
  if (scratch.compact.length < next) scratch.compact = new Int32Array(Math.max(next, 2 * scratch.compact.length));
  const compact = scratch.compact;
  compact.fill(0, 0, next);
  const components: InkComponent[] = [];
  for (let p = 1; p < next; p++) {
    const r = findRoot(parent, p);
    if (compact[r] === 0) {
      components.push({
        label: components.length + 1,
        x0: width,
        y0: height,
        x1: -1,
        y1: -1,
        area: 0,
        mass: 0,
        peak: 0,
      });
      compact[r] = components.length;
    }
    compact[p] = compact[r];
  }
  for (let y = inkY0; y <= inkY1; y++) {
    const row = y * width;
    for (let x = inkX0; x <= inkX1; x++) {
      const i = row + x;
      const p = labels[i];
      if (p === 0) continue;
      const k = compact[p];
      labels[i] = k;
      const c = components[k - 1];
      const s = strength[i];
      c.area++;
      c.mass += s;
      if (levels) levels[s >= 255 ? 255 : s | 0]++;
      if (s > c.peak) c.peak = s;
      if (x < c.x0) c.x0 = x;
      if (x > c.x1) c.x1 = x;
      if (y < c.y0) c.y0 = y;
      if (y > c.y1) c.y1 = y;
    }
  }
  return { labels, components };
}

/** Root of provisional label `a`, halving the path on the way. */
function findRoot(parent: Int32Array, a: number): number {
  while (parent[a] !== a) {
    parent[a] = parent[parent[a]];
    a = parent[a];
  }
  return a;
}

/** Join the sets of `a` and `b` under the smaller root; returns that root. */
function union(parent: Int32Array, a: number, b: number): number {
  const ra = findRoot(parent, a),
    rb = findRoot(parent, b);
  if (ra === rb) return ra;
  if (ra < rb) {
    parent[rb] = ra;
    return ra;
  }
  parent[ra] = rb;
  return rb;
}
