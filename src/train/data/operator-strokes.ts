/**
 * Handwritten operators (`+ - × ÷ =`) synthesised as pen strokes, because no dataset of handwritten
 * operators can be installed here. Each operator is a few polylines drawn the way people write them: a
 * random length, angle and slight bend per stroke, a hand's jitter, a pen width and a pressure that varies
 * along the stroke; `÷` gets dots (or blots, from a broad pen) of varying size and distance, `×` is a tilted
 * cross, `-` and `=` vary in width and spacing. Sizes are in units of the writer's digit height, so the pen is
 * as thick as it would be on the digits of the same line.
 *
 * The strokes are rendered anti-aliased into a grey picture and fitted by the very `fitToContract` the
 * readers run (20x20 box, centre of mass centred; fit-picture.ts), so a synthesised operator reaches the model
 * as an MNIST digit or a drawn character does.
 *
 * What this cannot capture (docs/arithmetic.md says more): real people's idiosyncrasies (a `+` written as
 * one looping stroke, a `×` drawn like a letter x with curls), paper texture, ink blots and the correlation
 * between a writer's digits and operators.
 */
import type { GrayImage } from '../../runtime/ink/image.js';
import type { InputContract } from '../../runtime/contract.js';
import { fitCleanPicture } from './fit-picture.js';

/** One point of a pen stroke, in digit-height units; `width` is the stroke's full thickness there. */
export interface StrokePoint {
  x: number;
  y: number;
  width: number;
  /** Ink darkness at this point, 0..1. */
  pressure: number;
}

/** A pen stroke: a polyline with width and pressure at every vertex. */
export type Stroke = StrokePoint[];

/** The operators this module draws, in the arithmetic label set's order. */
export const OPERATOR_SYMBOLS = ['+', '-', '×', '÷', '='] as const;
export type OperatorSymbol = (typeof OPERATOR_SYMBOLS)[number];

/**
 * Render strokes anti-aliased into a grey picture (ink 255 on 0) whose longer ink side spans `inkSide`
 * pixels, with `margin` pixels of background around it. The default size keeps the picture under the
 * side at which ink finding starts estimating a local background: a single character's crop, whose paper
 * is one level, as the readers see it; at twice the 20-pixel box the fit still anti-aliases. Each segment is a capsule whose radius and
 * pressure are interpolated between its ends; a pixel's ink is the coverage of the strongest capsule over
 * it, so overlapping strokes do not add up to blots.
 */
export function renderStrokes(strokes: Stroke[], inkSide = 40, margin = 8): GrayImage {
  const { x0, y0, x1, y1 } = strokeBox(strokes);
  const scale = inkSide / Math.max(x1 - x0, y1 - y0, 1e-6);
  const width = Math.ceil((x1 - x0) * scale) + 2 * margin;
  const height = Math.ceil((y1 - y0) * scale) + 2 * margin;
  const ink = new Float32Array(width * height);
  paintStrokes(ink, width, height, strokes, scale, margin - x0 * scale, margin - y0 * scale);
  const data = new Uint8Array(width * height);
  for (let i = 0; i < data.length; i++) data[i] = Math.round(255 * Math.min(1, ink[i]));
  return { width, height, data };
}

/** The box the strokes' ink covers, pen width included, in stroke units. */
export function strokeBox(strokes: Stroke[]): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = Infinity,
    y0 = Infinity,
    x1 = -Infinity,
    y1 = -Infinity;
  for (const s of strokes) {
    for (const p of s) {
      const r = p.width / 2;
      x0 = Math.min(x0, p.x - r);
      y0 = Math.min(y0, p.y - r);
      x1 = Math.max(x1, p.x + r);
      y1 = Math.max(y1, p.y + r);
    }
  }
  return { x0, y0, x1, y1 };
}

/**
 * Paint strokes into an ink canvas (`width` x `height`, 0..1, ink high) at `scale` pixels per stroke unit,
 * offset by (`ox`, `oy`) pixels; a pixel keeps the strongest ink over it.
 */
export function paintStrokes(
  ink: Float32Array,
  width: number,
  height: number,
  strokes: Stroke[],
  scale = 1,
  ox = 0,
  oy = 0,
): void {
  for (const s of strokes) {
    for (let i = 0; i < s.length; i++) {
      const a = s[i],
        b = s[Math.min(i + 1, s.length - 1)];
      if (i > 0 && i === s.length - 1) break;
      capsule(
        ink,
        width,
        height,
        a.x * scale + ox,
        a.y * scale + oy,
        b.x * scale + ox,
        b.y * scale + oy,
        (a.width * scale) / 2,
        (b.width * scale) / 2,
        a.pressure,
        b.pressure,
      );
    }
  }
}

function capsule(
  ink: Float32Array,
  w: number,
  h: number,
  ax: number,
  ay: number,
  bx: number,
  by: number,
  ra: number,
  rb: number,
  pa: number,
  pb: number,
): void {
  const r = Math.max(ra, rb) + 1;
  const xa = Math.max(0, Math.floor(Math.min(ax, bx) - r)),
    xb = Math.min(w - 1, Math.ceil(Math.max(ax, bx) + r));
  const ya = Math.max(0, Math.floor(Math.min(ay, by) - r)),
    yb = Math.min(h - 1, Math.ceil(Math.max(ay, by) + r));
  const dx = bx - ax,
    dy = by - ay;
  const len2 = dx * dx + dy * dy;
  for (let y = ya; y <= yb; y++) {
    for (let x = xa; x <= xb; x++) {
      const px = x + 0.5,
        py = y + 0.5;
      const t = len2 > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2)) : 0;
      const cx = ax + t * dx - px,
        cy = ay + t * dy - py;
      const d = Math.sqrt(cx * cx + cy * cy);
      // Coverage of a pixel by an edge at signed distance (radius - d): a one-pixel linear ramp.
      const cover = Math.max(0, Math.min(1, ra + t * (rb - ra) - d + 0.5));
      if (cover <= 0) continue;
      const v = cover * (pa + t * (pb - pa));
      const k = y * w + x;
      if (v > ink[k]) ink[k] = v;
    }
  }
}

/** A standard normal draw (Box-Muller) from a uniform source. */
export function gaussian(rand: () => number): number {
  const u = Math.max(rand(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rand());
}

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();
const DEG = Math.PI / 180;

/** A pen at least this wide (in digit heights) can leave a blot for a dot. */
const BROAD_PEN = 0.1;

/** A writer's pen: stroke thickness and typical pressure, in digit-height units. */
export interface Pen {
  width: number;
  pressure: number;
}

/**
 * A straight-ish pen stroke from (x0, y0) to (x1, y1): bent by up to `bend` of its length (one arc), each
 * vertex jittered, thinner and lighter where the pen lands and lifts, and sometimes a short hook where it
 * lifts (the flick many writers leave at a stroke's end).
 */
export function penStroke(
  rand: () => number,
  pen: Pen,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  bend = 0.08,
): Stroke {
  const n = 12;
  const dx = x1 - x0,
    dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  const nx = len > 0 ? -dy / len : 0,
    ny = len > 0 ? dx / len : 0;
  const arc = uniform(rand, -bend, bend) * len;
  const skew = uniform(rand, -0.15, 0.15);
  const phase = uniform(rand, 0, 2 * Math.PI);
  const landing = uniform(rand, 0.55, 0.95),
    lifting = uniform(rand, 0.55, 0.95);
  const jitter = 0.006 + 0.004 * rand();
  const pts: Stroke = [];
  let jx = 0,
    jy = 0;
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1);
    const bow = Math.sin(Math.PI * Math.min(1, Math.max(0, t + skew * Math.sin(Math.PI * t))));
    // Smoothed jitter: a hand's tremor is low-frequency, not pixel noise.
    jx = 0.6 * jx + gaussian(rand) * jitter;
    jy = 0.6 * jy + gaussian(rand) * jitter;
    const ends =
      t < 0.15 ? landing + (1 - landing) * (t / 0.15) : t > 0.85 ? lifting + (1 - lifting) * ((1 - t) / 0.15) : 1;
    pts.push({
      x: x0 + dx * t + nx * arc * bow + jx,
      y: y0 + dy * t + ny * arc * bow + jy,
      width: pen.width * (0.85 + 0.15 * ends) * (1 + 0.08 * Math.sin(phase + 3 * t)),
      pressure: Math.min(1, pen.pressure * (0.8 + 0.2 * ends) * (1 + 0.06 * Math.sin(phase + 5 * t))),
    });
  }
  if (rand() < 0.2 && len > 0) {
    const last = pts[n - 1];
    const a = Math.atan2(dy, dx) + (rand() < 0.5 ? 1 : -1) * uniform(rand, 100, 160) * DEG;
    const hook = uniform(rand, 0.03, 0.07);
    pts.push({
      x: last.x + Math.cos(a) * hook,
      y: last.y + Math.sin(a) * hook,
      width: last.width * 0.8,
      pressure: last.pressure * 0.8,
    });
  }
  return pts;
}

/** A dot: a tiny closed loop of the pen, radius `r` (at least the pen's own half width). */
export function penDot(rand: () => number, pen: Pen, cx: number, cy: number, r: number): Stroke {
  const ring = Math.max(0, r - pen.width / 2);
  const pts: Stroke = [];
  const start = uniform(rand, 0, 2 * Math.PI);
  for (let i = 0; i <= 8; i++) {
    const a = start + (i / 8) * 2 * Math.PI;
    pts.push({
      x: cx + Math.cos(a) * ring * uniform(rand, 0.85, 1.1),
      y: cy + Math.sin(a) * ring * uniform(rand, 0.85, 1.1),
      width: pen.width,
      pressure: pen.pressure,
    });
  }
  return pts;
}

/** A stroke of length `len` at `angle` through (cx, cy), crossing it at fraction `at` of its length. */
function through(
  rand: () => number,
  pen: Pen,
  cx: number,
  cy: number,
  len: number,
  angle: number,
  at = 0.5,
  bend = 0.08,
): Stroke {
  const c = Math.cos(angle),
    s = Math.sin(angle);
  return penStroke(
    rand,
    pen,
    cx - c * len * at,
    cy - s * len * at,
    cx + c * len * (1 - at),
    cy + s * len * (1 - at),
    bend,
  );
}

/**
 * The strokes of one handwritten operator, in digit-height units (y grows downwards), drawn by the
 * training generator's stroke model. Deterministic in `rand`.
 *
 * Writers differ as much in their operators as in their digits: sizes from a third to most of the digit
 * height, thin and thick pens and bold blobs, sketchy strokes gone over twice, `×` as a cross or a
 * letter x, `÷` with round or dashed dots, `=` and `-` short or long, `+` with unequal or curved arms.
 */
export function operatorStrokes(symbol: OperatorSymbol, rand: () => number): Stroke[] {
  const bold = rand() < 0.25;
  const writer: Pen = {
    width: bold ? uniform(rand, 0.14, 0.26) : uniform(rand, 0.05, 0.16),
    pressure: uniform(rand, 0.65, 1),
  };
  // A writer who makes a small operator slows down and thins the line: the pen never gets wider than a
  // third of the operator's main stroke, or a small x would be a blob no reader could name. A bold writer's
  // pen may reach most of it: a ÷ whose dots run into the bar, a dash as thick as it is long.
  const penFor = (len: number): Pen => ({
    ...writer,
    width: Math.min(writer.width, len * (bold ? uniform(rand, 0.3, 0.7) : uniform(rand, 0.16, 0.33))),
  });
  const tilt = (rand() < 0.2 ? uniform(rand, -20, 20) : uniform(rand, -10, 10)) * DEG;
  const strokes = drawOperator(symbol, rand, penFor, tilt);
  // A sketchy hand goes over each line twice, a little off the first.
  if (rand() < 0.15) {
    const offset = uniform(rand, 0.015, 0.05);
    return strokes.flatMap((st) => {
      if (st.length < 4) return [st];
      const a = uniform(rand, 0, 2 * Math.PI);
      const again = st.map((p, i) => ({
        ...p,
        x: p.x + Math.cos(a) * offset * (1 - i / st.length) + gaussian(rand) * 0.006,
        y: p.y + Math.sin(a) * offset * (i / st.length) + gaussian(rand) * 0.006,
        pressure: p.pressure * uniform(rand, 0.7, 1),
      }));
      return [st, again];
    });
  }
  return strokes;
}

function drawOperator(
  symbol: OperatorSymbol,
  rand: () => number,
  penFor: (len: number) => Pen,
  tilt: number,
): Stroke[] {
  switch (symbol) {
    case '-': {
      const len = uniform(rand, 0.25, 1);
      return [through(rand, penFor(len), 0, 0, len, tilt * 1.2)];
    }
    case '=': {
      const len = uniform(rand, 0.25, 1);
      const pen = penFor(len);
      const gap = uniform(rand, 0.08, 0.5) * Math.max(0.5, len);
      const shift = uniform(rand, -0.15, 0.15) * len;
      return [
        through(rand, pen, 0, -gap / 2, len, tilt + uniform(rand, -4, 4) * DEG),
        through(rand, pen, shift, gap / 2, len * uniform(rand, 0.75, 1.25), tilt + uniform(rand, -4, 4) * DEG),
      ];
    }
    case '+': {
      const v = uniform(rand, 0.3, 0.9);
      const hLen = v * uniform(rand, 0.65, 1.4);
      const pen = penFor(Math.min(v, hLen));
      const bend = rand() < 0.3 ? 0.2 : 0.08;
      return [
        through(rand, pen, 0, 0, hLen, tilt, uniform(rand, 0.25, 0.75), bend),
        through(rand, pen, 0, 0, v, Math.PI / 2 + tilt + uniform(rand, -8, 8) * DEG, uniform(rand, 0.25, 0.75), bend),
      ];
    }
    case '×': {
      const len = uniform(rand, 0.3, 0.8);
      const pen = penFor(len);
      if (rand() < 0.35) {
        // The letter x: two arcs back to back, each bowing away from the other.
        const h = len * uniform(rand, 0.8, 1.1),
          w = len * uniform(rand, 0.6, 0.95);
        const bow = uniform(rand, 0.12, 0.3);
        return [
          penStroke(rand, pen, -w / 2, -h / 2, w / 2, h / 2, bow),
          penStroke(rand, pen, w / 2, -h / 2, -w / 2, h / 2, bow),
        ];
      }
      return [
        through(rand, pen, 0, 0, len, 45 * DEG + tilt + uniform(rand, -10, 10) * DEG, uniform(rand, 0.35, 0.65)),
        through(
          rand,
          pen,
          0,
          0,
          len * uniform(rand, 0.8, 1.2),
          -45 * DEG + tilt + uniform(rand, -10, 10) * DEG,
          uniform(rand, 0.35, 0.65),
        ),
      ];
    }
    case '÷': {
      const len = uniform(rand, 0.3, 0.95);
      const pen = penFor(len);
      const strokes = [through(rand, pen, 0, 0, len, tilt * 0.8)];
      const dist = uniform(rand, 0.1, 0.38);
      const dashed = rand() < 0.3;
      // A writer with a broad pen may press each dot into a round blot wider than the bar's stroke, sitting on
      // the bar; then only the blots' roundness and the waist where they join it tell a ÷ from a +. (A fine
      // pen's dot stays a dot: pressed into the bar it would be a small +.)
      const blot = !dashed && pen.width >= BROAD_PEN && rand() < 0.5;
      for (const side of [-1, 1]) {
        const r = blot
          ? (pen.width / 2) * uniform(rand, 1.3, 2.2)
          : Math.max(pen.width / 2, uniform(rand, 0.025, 0.08));
        // A blot sits on the bar's edge or into it; a dot clears the bar.
        const d = blot ? pen.width / 2 + r * uniform(rand, 0.4, 1.1) : dist * uniform(rand, 0.85, 1.15) + r;
        const cx = uniform(rand, -0.12, 0.12) * len - Math.sin(tilt) * d * side;
        strokes.push(
          dashed
            ? through(
                rand,
                pen,
                cx,
                side * d,
                Math.max(pen.width * 1.5, len * uniform(rand, 0.12, 0.3)),
                tilt,
                0.5,
                0.05,
              )
            : penDot(rand, blot ? { ...pen, width: 1.5 * r } : pen, cx, side * d, r),
        );
      }
      return strokes;
    }
  }
}

/** A 32-bit seed for sample `index` of `stream` under `seed`: streams keep train, validation and test apart. */
export function operatorSeed(seed: number, stream: number, index: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (index + 0x632be5ab), 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

/** A drawing function: the strokes of an operator from a seeded random source. */
export type OperatorDrawer = (symbol: OperatorSymbol, rand: () => number) => Stroke[];

/**
 * One operator picture as model input (`contract.height * contract.width` floats, ink high in [0, 1]):
 * drawn, rendered, and fitted to its ink (fit-picture.ts).
 * @throws Error if the drawing holds no ink (a drawer bug: every operator has ink).
 */
export function operatorPicture(
  symbol: OperatorSymbol,
  rand: () => number,
  contract: InputContract,
  draw: OperatorDrawer = operatorStrokes,
): Float32Array {
  const picture = renderStrokes(draw(symbol, rand));
  const input = fitCleanPicture(picture, contract);
  if (!input) throw new Error(`operator '${symbol}': the drawing holds no ink`);
  return input;
}
