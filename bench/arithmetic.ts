// Accuracy of an arithmetic model (digits and + - × ÷ =) on sets it never trained on: the 10,000 MNIST *test*
// digits, and operators drawn by a second stroke generator that differs from the training one (Bézier
// strokes instead of bent arcs, speed-driven width and pressure, unsmoothed tremor, dabbed dots, other size,
// angle and spacing ranges, another rendering scale) from seeds in a stream training never uses. The
// digits figure is set beside the 10-class model's on the same pictures.
// Run: npm run bench:arithmetic   (LENET_ARITHMETIC_ONNX=FILE, LENET_DIGITS_ONNX=FILE, LENET_BENCH_PER_OPERATOR=N)
import { readMnist } from '../src/data/idx.js';
import { evaluateModel } from '../src/runtime/node/evaluate.js';
import { loadDigitModel, type DigitModel } from '../src/runtime/node/session.js';
import { preprocess } from '../src/runtime/preprocess.js';
import { gaussian, OPERATOR_SYMBOLS, operatorSeed, renderStrokes, type OperatorSymbol, type Stroke } from '../src/train/data/operator-strokes.js';
import { seededRandom } from '../src/train/data/rng.js';

const ARITHMETIC_ONNX = process.env.LENET_ARITHMETIC_ONNX ?? 'models/arithmetic.onnx';
const DIGITS_ONNX = process.env.LENET_DIGITS_ONNX ?? 'models/lenet5.onnx';
const PER_OPERATOR = Number(process.env.LENET_BENCH_PER_OPERATOR ?? 2000);
/** Seed and stream of the evaluation operators: training draws streams 0-2, this one never. */
const BENCH_SEED = 20261130;
const BENCH_STREAM = 7001;

const uniform = (rand: () => number, lo: number, hi: number): number => lo + (hi - lo) * rand();
const DEG = Math.PI / 180;

/**
 * A cubic Bézier pen stroke: the two inner control points wander off the chord (an S-curve is possible),
 * the pen's speed is slow at both ends and fast in the middle, and width and darkness follow it (a fast
 * pen leaves a thinner, lighter line); the tremor is independent per vertex.
 */
function bezierStroke(rand: () => number, width: number, pressure: number, x0: number, y0: number, x1: number, y1: number, wander = 0.12): Stroke {
  const dx = x1 - x0, dy = y1 - y0;
  const len = Math.hypot(dx, dy);
  const nx = len > 0 ? -dy / len : 0, ny = len > 0 ? dx / len : 0;
  const o1 = uniform(rand, -wander, wander) * len, o2 = uniform(rand, -wander, wander) * len;
  const c1x = x0 + dx / 3 + nx * o1, c1y = y0 + dy / 3 + ny * o1;
  const c2x = x0 + (2 * dx) / 3 + nx * o2, c2y = y0 + (2 * dy) / 3 + ny * o2;
  const fast = uniform(rand, 0.15, 0.4);
  const n = 16;
  const pts: Stroke = [];
  for (let i = 0; i < n; i++) {
    const t = i / (n - 1), u = 1 - t;
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

function line(rand: () => number, width: number, pressure: number, cx: number, cy: number, len: number, angle: number, at = 0.5): Stroke {
  const c = Math.cos(angle), s = Math.sin(angle);
  return bezierStroke(rand, width, pressure, cx - c * len * at, cy - s * len * at, cx + c * len * (1 - at), cy + s * len * (1 - at));
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
function benchStrokes(symbol: OperatorSymbol, rand: () => number): Stroke[] {
  const pressure = uniform(rand, 0.6, 1);
  const tilt = uniform(rand, -12, 12) * DEG;
  const pen = (len: number): number => Math.min(uniform(rand, 0.05, 0.2), len * 0.35);
  switch (symbol) {
    case '-': {
      const len = uniform(rand, 0.25, 1);
      return [line(rand, pen(len), pressure, 0, 0, len, tilt)];
    }
    case '=': {
      const len = uniform(rand, 0.25, 1), w = pen(len);
      const gap = uniform(rand, 0.1, 0.45);
      const converge = uniform(rand, -5, 5) * DEG;
      return [
        line(rand, w, pressure, uniform(rand, -0.1, 0.1) * len, -gap / 2, len, tilt - converge),
        line(rand, w, pressure, uniform(rand, -0.1, 0.1) * len, gap / 2, len * uniform(rand, 0.7, 1.3), tilt + converge),
      ];
    }
    case '+': {
      const v = uniform(rand, 0.3, 1), h = v * uniform(rand, 0.65, 1.4), w = pen(Math.min(v, h));
      return [
        line(rand, w, pressure, 0, 0, v, Math.PI / 2 + tilt + uniform(rand, -10, 10) * DEG, uniform(rand, 0.3, 0.7)),
        line(rand, w, pressure, 0, 0, h, tilt, uniform(rand, 0.3, 0.7)),
      ];
    }
    case '×': {
      const len = uniform(rand, 0.25, 0.85), w = pen(len);
      return [
        line(rand, w, pressure, 0, 0, len, 45 * DEG + tilt + uniform(rand, -15, 15) * DEG, uniform(rand, 0.3, 0.7)),
        line(rand, w, pressure, 0, 0, len * uniform(rand, 0.7, 1.3), 135 * DEG + tilt + uniform(rand, -15, 15) * DEG, uniform(rand, 0.3, 0.7)),
      ];
    }
    case '÷': {
      const len = uniform(rand, 0.3, 1), w = pen(len);
      const strokes = [line(rand, w, pressure, 0, 0, len, tilt)];
      for (const side of [-1, 1]) {
        const size = Math.max(w, uniform(rand, 0.04, 0.14));
        strokes.push(dab(rand, w, pressure, uniform(rand, -0.15, 0.15) * len, side * (uniform(rand, 0.1, 0.4) + size / 2), size));
      }
      return strokes;
    }
  }
}

async function operatorAccuracy(model: DigitModel): Promise<{ accuracy: number; perSymbol: Record<string, number>; confusions: Record<string, Record<string, number>> }> {
  const c = model.contract;
  const px = c.height * c.width;
  const perSymbol: Record<string, number> = {};
  const confusions: Record<string, Record<string, number>> = {};
  let right = 0, total = 0;
  for (const [k, symbol] of OPERATOR_SYMBOLS.entries()) {
    const input = new Float32Array(PER_OPERATOR * px);
    for (let j = 0; j < PER_OPERATOR; j++) {
      const rand = seededRandom(operatorSeed(BENCH_SEED, BENCH_STREAM, k * 1_000_000 + j));
      const r = preprocess(renderStrokes(benchStrokes(symbol, rand), 48, 6), c);
      if (!r.ok) throw new Error(`bench operator '${symbol}' ${j}: ${r.message}`);
      input.set(r.input, j * px);
    }
    const probs = await model.run(input, PER_OPERATOR);
    const n = c.labels.length;
    let hits = 0;
    confusions[symbol] = {};
    for (let j = 0; j < PER_OPERATOR; j++) {
      let best = 0;
      for (let q = 1; q < n; q++) if (probs[j * n + q] > probs[j * n + best]) best = q;
      const said = c.labels[best];
      if (said === symbol) hits++;
      else confusions[symbol][said] = (confusions[symbol][said] ?? 0) + 1;
    }
    perSymbol[symbol] = hits / PER_OPERATOR;
    right += hits;
    total += PER_OPERATOR;
  }
  return { accuracy: right / total, perSymbol, confusions };
}

const pct = (v: number): string => `${(v * 100).toFixed(2)}%`;

async function main(): Promise<void> {
  const test = await readMnist('test');
  const arithmetic = await loadDigitModel(ARITHMETIC_ONNX);
  const digits = await loadDigitModel(DIGITS_ONNX);
  try {
    const a = await evaluateModel(arithmetic, test, { batchSize: 1000, worst: 0 });
    const d = await evaluateModel(digits, test, { batchSize: 1000, worst: 0 });
    const ops = await operatorAccuracy(arithmetic);
    const lines = [
      `arithmetic model ${ARITHMETIC_ONNX} (labels ${arithmetic.contract.labels.join(' ')})`,
      `  MNIST test digits: ${pct(a.accuracy)} on ${a.count}; the 10-class ${DIGITS_ONNX}: ${pct(d.accuracy)} (difference ${((a.accuracy - d.accuracy) * 100).toFixed(2)} pp)`,
      `  operators (evaluation generator, seed ${BENCH_SEED}, stream ${BENCH_STREAM}): ${pct(ops.accuracy)} on ${PER_OPERATOR * OPERATOR_SYMBOLS.length}`,
      ...OPERATOR_SYMBOLS.map((s) => `    ${s}  ${pct(ops.perSymbol[s])}${Object.keys(ops.confusions[s]).length ? `  read as: ${Object.entries(ops.confusions[s]).sort((x, y) => y[1] - x[1]).map(([l, n]) => `${l} ${n}`).join(', ')}` : ''}`),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await arithmetic.close();
    await digits.close();
  }
}

await main();
