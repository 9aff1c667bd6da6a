// Operators as other hands write them, for evaluation only: this is not the training generator
// (src/train/data/operator-strokes.ts) nor bench/generate's, but polylines of a round pen with their own
// ranges: size 0.3-0.8 of the digit height, thin to thick pens and bold blobs, sketchy double strokes, × as a
// cross or as a written x, ÷ with round or dashed dots, = with short or long bars and narrow or wide gaps,
// - short, long, thick or tilted, + with unequal or curved arms.
import type { Rand } from '../generate/seed.js';
import { layer, stroke, type PenPoint } from '../generate-pages/canvas.js';
import type { DigitPatch } from '../generate-pages/digit.js';
import { INK } from '../generate-pages/digit.js';

/** The operators a sum is written with. */
export type Operator = '+' | '-' | '×' | '÷' | '=';

type Path = [number, number][];
const DEG = Math.PI / 180;

/** A path from (x0, y0) to (x1, y1), bowed sideways by `bow` of its length at the middle. */
function arm(x0: number, y0: number, x1: number, y1: number, bow = 0): Path {
  const len = Math.hypot(x1 - x0, y1 - y0);
  const nx = len > 0 ? -(y1 - y0) / len : 0,
    ny = len > 0 ? (x1 - x0) / len : 0;
  const pts: Path = [];
  for (let i = 0; i <= 8; i++) {
    const t = i / 8;
    const b = bow * len * 4 * t * (1 - t);
    pts.push([x0 + t * (x1 - x0) + nx * b, y0 + t * (y1 - y0) + ny * b]);
  }
  return pts;
}

/** A dot: a tiny closed loop (round) or a short dash. */
function dot(rand: Rand, cx: number, cy: number, size: number, dashed: boolean): Path {
  if (dashed) return arm(cx - size, cy + rand.uniform(-0.2, 0.2) * size, cx + size, cy);
  const pts: Path = [];
  for (let i = 0; i <= 6; i++) {
    const a = (i / 6) * 2 * Math.PI;
    pts.push([cx + (size / 2) * Math.cos(a), cy + (size / 2) * Math.sin(a)]);
  }
  return pts;
}

/** The paths of `op` in a unit box centred on 0 (y down), one writer's way. */
function paths(op: Operator, rand: Rand): Path[] {
  const u = (lo: number, hi: number) => rand.uniform(lo, hi);
  switch (op) {
    case '-': {
      const len = rand.chance(0.5) ? u(0.35, 0.7) : u(0.7, 1.2);
      return [arm(-len / 2, 0, len / 2, 0, u(-0.05, 0.05))];
    }
    case '=': {
      const gap = rand.chance(0.5) ? u(0.15, 0.3) : u(0.3, 0.6);
      const a = u(0.5, 1.1),
        b = a * u(0.7, 1.3),
        shift = u(-0.15, 0.15);
      return [
        arm(-a / 2, -gap / 2, a / 2, -gap / 2 + u(-0.05, 0.05)),
        arm(-b / 2 + shift, gap / 2, b / 2 + shift, gap / 2),
      ];
    }
    case '+': {
      const v = u(0.6, 1.1),
        hz = v * u(0.6, 1.5);
      const cross = u(0.3, 0.7),
        curved = rand.chance(0.4) ? u(-0.12, 0.12) : 0;
      return [
        arm(-hz * cross, 0, hz * (1 - cross), u(-0.06, 0.06), curved),
        arm(u(-0.05, 0.05), -v * u(0.3, 0.7), u(-0.08, 0.08), v * 0.5, rand.chance(0.4) ? u(-0.12, 0.12) : 0),
      ];
    }
    case '×': {
      const s = u(0.35, 0.55);
      if (rand.chance(0.5)) {
        // a cross: two straight diagonals, one a little longer
        const k = u(0.8, 1.2);
        return [arm(-s, -s, s, s), arm(s * k, -s * k, -s * k, s * k)];
      }
      // a written x: two curves back to back
      return [arm(-s, -s, s, s, u(0.1, 0.22)), arm(s, -s, -s, s, -u(0.1, 0.22))];
    }
    case '÷': {
      const len = rand.chance(0.5) ? u(0.5, 0.8) : u(0.8, 1.2);
      const gap = u(0.22, 0.45),
        size = u(0.08, 0.2),
        dashed = rand.chance(0.35);
      return [
        arm(-len / 2, 0, len / 2, u(-0.04, 0.04)),
        dot(rand, u(-0.1, 0.1), -gap, size, dashed),
        dot(rand, u(-0.1, 0.1), gap, size, dashed),
      ];
    }
  }
}

/**
 * `op` written at `size` pixels (the unit box's side), with a pen of `penWidth` pixels, turned by up to a few
 * degrees; `sketchy` draws every stroke twice, a little apart. Its `base` is the row of its middle.
 */
export function drawOperator(op: Operator, rand: Rand, size: number, penWidth: number, sketchy: boolean): DigitPatch {
  const turn = (op === '-' ? rand.uniform(-12, 12) : rand.uniform(-8, 8)) * DEG;
  const c = Math.cos(turn),
    s = Math.sin(turn);
  const pad = Math.ceil(penWidth + 3 + 0.1 * size);
  const extent = 1.3 * size;
  const side = Math.ceil(extent + 2 * pad);
  const out = layer(side, side);
  const mid = side / 2;
  for (const p of paths(op, rand)) {
    const copies = sketchy ? 2 : 1;
    for (let k = 0; k < copies; k++) {
      const dx = k ? rand.uniform(-0.06, 0.06) * size : 0,
        dy = k ? rand.uniform(-0.06, 0.06) * size : 0;
      const pts: PenPoint[] = p.map(([x, y]) => ({
        x: mid + (c * x - s * y) * size + dx + rand.uniform(-0.2, 0.2),
        y: mid + (s * x + c * y) * size + dy + rand.uniform(-0.2, 0.2),
        w: penWidth * rand.uniform(0.85, 1.1),
      }));
      stroke(out, pts, rand.uniform(0.85, 1));
    }
  }
  let x0 = side,
    y0 = side,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      if (out.data[y * side + x] >= INK) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return { ...out, x0, y0, x1, y1, base: Math.round(mid) };
}
