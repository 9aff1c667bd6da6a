// Accuracy of an arithmetic model (digits and + - × ÷ =) on sets it never trained on: the 10,000 MNIST *test*
// digits, and operators drawn by a second stroke generator that differs from the training one (Bézier
// strokes instead of bent arcs, speed-driven width and pressure, unsmoothed tremor, dabbed dots, other size,
// angle and spacing ranges, another rendering scale) from seeds in a stream training never uses. The
// digits figure is set beside the 10-class model's on the same pictures.
// Run: npm run bench:arithmetic   (LENET_ARITHMETIC_ONNX=FILE, LENET_DIGITS_ONNX=FILE, LENET_BENCH_PER_OPERATOR=N)
import { pathToFileURL } from 'node:url';
import { readMnist } from '../src/data/idx.js';
import { benchStrokes } from './generate/operators.js';
import { evaluateModel } from '../src/runtime/node/evaluate.js';
import { DEFAULT_ONNX_MODEL, loadDigitModel, type DigitModel } from '../src/runtime/node/session.js';
import { preprocess } from '../src/runtime/preprocess.js';
import { OPERATOR_SYMBOLS, operatorSeed, renderStrokes } from '../src/train/data/operator-strokes.js';
import { seededRandom } from '../src/train/data/rng.js';

const ARITHMETIC_ONNX = process.env.LENET_ARITHMETIC_ONNX ?? 'models/arithmetic.onnx';
const DIGITS_ONNX = process.env.LENET_DIGITS_ONNX ?? DEFAULT_ONNX_MODEL;
const PER_OPERATOR = Number(process.env.LENET_BENCH_PER_OPERATOR ?? 2000);
/** Seed and stream of the evaluation operators: training draws streams 0-2, this one never. */
const BENCH_SEED = 20261130;
const BENCH_STREAM = 7001;

async function operatorAccuracy(model: DigitModel): Promise<{
  accuracy: number;
  perSymbol: Record<string, number>;
  confusions: Record<string, Record<string, number>>;
}> {
  const c = model.contract;
  const px = c.height * c.width;
  const perSymbol: Record<string, number> = {};
  const confusions: Record<string, Record<string, number>> = {};
  let right = 0,
    total = 0;
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
      ...OPERATOR_SYMBOLS.map(
        (s) =>
          `    ${s}  ${pct(ops.perSymbol[s])}${
            Object.keys(ops.confusions[s]).length
              ? `  read as: ${Object.entries(ops.confusions[s])
                  .sort((x, y) => y[1] - x[1])
                  .map(([l, n]) => `${l} ${n}`)
                  .join(', ')}`
              : ''
          }`,
      ),
    ];
    process.stdout.write(lines.join('\n') + '\n');
  } finally {
    await arithmetic.close();
    await digits.close();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
