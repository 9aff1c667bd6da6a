// The evaluation generator of operators: pen strokes drawn with another stroke model and other parameter ranges
// than the training generator (src/train/data/operator-strokes.ts), so benchmarks test what training never saw.
import { gaussian, type OperatorSymbol, type Stroke } from '../../src/train/data/operator-strokes.js';

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();
const DEG = Math.PI / 180;

/**
 * A cubic Bézier pen stroke: the two inner control points wander off the chord (an S-curve is possible),
 * the pen's speed is slow at both ends and fast in the middle, and width and darkness follow it (a fast
 * pen leaves a thinner, lighter line); the tremor is independent per vertex.
 */
function bezierStroke(
  rand: () => number,
  width: number,
  pressure: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  wander = 0.12,
): Stroke {
  const dx = x1 - x0,
    dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  const nx = len > 0 ? -dy / len : 0,
    ny = len > 0 ? dx / len : 0;
  const o1 = uniform(rand, -wander, wander) * len,
    o2 = uniform(rand, -wander, wander) * len;
  const c1x = x0 + dx / 3 + nx * o1,
    c1y = y0 + dy / 3 + ny * o1;
  const c2x = x0 + (2 * dx) / 3 + nx * o2,
    c2y = y0 + (2 * dy) / 3 + ny * o2;
  const fast = uniform(rand, 0.15, 0.4);
  const n = 16;
  const pts: Stroke = [];
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1),
      u = 1 - t;
    const speed = Math.sin(Math.PI * t);
    pts.push({
      x: u * u * u * x0 + 3 * u * u * t * c1x + 3 * u * t * t * c2x + t * t * t * x1 + gaussian(rand) * 0.004,
      y: u * u * u * y0 + 3 * u * u * t * c1y + 3 * u * t * t * c2y + t * t * t * y1 + gaussian(rand) * 0.004,
      width: width * (1 - fast * speed),
      pressure: pressure * (1 - 0.5 * fast * speed),
    });
  }
  return pts;
}

function line(
  rand: () => number,
  width: number,
  pressure: number,
  cx: number,
  cy: number,
  len: number,
  angle: number,
  at = 0.5,
): Stroke {
  const c = Math.cos(angle),
    s = Math.sin(angle);
  return bezierStroke(
    rand,
    width,
    pressure,
    cx - c * len * at,
    cy - s * len * at,
    cx + c * len * (1 - at),
    cy + s * len * (1 - at),
  );
}

/** A dot as a short dab of the pen in a random direction. */
function dab(rand: () => number, width: number, pressure: number, cx: number, cy: number, size: number): Stroke {
  const a = uniform(rand, 0, Math.PI);
  const r = Math.max(0, size - width) / 2;
  return [
    { x: cx - Math.cos(a) * r, y: cy - Math.sin(a) * r, width, pressure },
    { x: cx + Math.cos(a) * r, y: cy + Math.sin(a) * r, width: width * 0.9, pressure },
  ];
}

/** The evaluation generator: other stroke model, other parameter ranges than the training generator. */
export function benchStrokes(symbol: OperatorSymbol, rand: () => number): Stroke[] {
  const pressure = uniform(rand, 0.6, 1);
  const tilt = uniform(rand, -12, 12) * DEG;
  const pen = (len: number): number => Math.min(uniform(rand, 0.05, 0.2), len * 0.35);
  switch (symbol) {
    case '-': {
      const len = uniform(rand, 0.25, 1);
      return [line(rand, pen(len), pressure, 0, 0, len, tilt)];
    }
    case '=': {
      const len = uniform(rand, 0.25, 1),
        w = pen(len);
      const gap = uniform(rand, 0.1, 0.45);
      const converge = uniform(rand, -5, 5) * DEG;
      return [
        line(rand, w, pressure, uniform(rand, -0.1, 0.1) * len, -gap / 2, len, tilt - converge),
        line(
          rand,
          w,
          pressure,
          uniform(rand, -0.1, 0.1) * len,
          gap / 2,
          len * uniform(rand, 0.7, 1.3),
          tilt + converge,
        ),
      ];
    }
    case '+': {
      const v = uniform(rand, 0.3, 1),
        h = v * uniform(rand, 0.65, 1.4),
        w = pen(Math.min(v, h));
      return [
        line(rand, w, pressure, 0, 0, v, Math.PI / 2 + tilt + uniform(rand, -10, 10) * DEG, uniform(rand, 0.3, 0.7)),
        line(rand, w, pressure, 0, 0, h, tilt, uniform(rand, 0.3, 0.7)),
      ];
    }
    case '×': {
      const len = uniform(rand, 0.25, 0.85),
        w = pen(len);
      return [
        line(rand, w, pressure, 0, 0, len, 45 * DEG + tilt + uniform(rand, -15, 15) * DEG, uniform(rand, 0.3, 0.7)),
        line(
          rand,
          w,
          pressure,
          0,
          0,
          len * uniform(rand, 0.7, 1.3),
          135 * DEG + tilt + uniform(rand, -15, 15) * DEG,
          uniform(rand, 0.3, 0.7),
        ),
      ];
    }
    case '÷': {
      const len = uniform(rand, 0.3, 1),
        w = pen(len);
      const strokes = [line(rand, w, pressure, 0, 0, len, tilt)];
      for (const side of [-1, 1]) {
        const size = Math.max(w, uniform(rand, 0.04, 0.14));
        strokes.push(
          dab(rand, w, pressure, uniform(rand, -0.15, 0.15) * len, side * (uniform(rand, 0.1, 0.4) + size / 2), size),
        );
      }
      return strokes;
    }
  }
}
