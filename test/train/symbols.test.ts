import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { gatherBatch, type Split } from '../../src/train/data/dataset.js';
import {
  OPERATOR_SYMBOLS,
  operatorPicture,
  operatorSeed,
  operatorStrokes,
  renderStrokes,
} from '../../src/train/data/operator-strokes.js';
import { seededRandom } from '../../src/train/data/rng.js';
import { SYMBOL_STREAMS, synthesizeSymbols, withSymbols } from '../../src/train/data/symbols.js';
import { contractFor, extraLabels, LABEL_SETS } from '../../src/train/models/label-sets.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { MNIST_CONTRACT } from '../../src/train/models/mnist-contract.js';
import { gradientStep } from '../../src/train/step/gradient-step.js';
import { enableFastWasmGradients } from '../../src/train/step/wasm-fast-grads.js';

const ARITHMETIC = contractFor(LABEL_SETS.arithmetic.labels);

test('label sets: digits first, operators as text writes them, the contract carries them', () => {
  assert.deepEqual(LABEL_SETS.digits.labels, MNIST_CONTRACT.labels);
  assert.deepEqual(LABEL_SETS.arithmetic.labels, [
    '0',
    '1',
    '2',
    '3',
    '4',
    '5',
    '6',
    '7',
    '8',
    '9',
    '+',
    '-',
    '\u00d7',
    '\u00f7',
    '=',
    'none',
  ]);
  assert.deepEqual(extraLabels(LABEL_SETS.arithmetic.labels), [...OPERATOR_SYMBOLS, 'none']);
  assert.equal(LABEL_SETS.arithmetic.rejectLabel, 'none');
  assert.deepEqual(LABEL_SETS.reading.labels, [...MNIST_CONTRACT.labels, 'none']);
  assert.equal(LABEL_SETS.digits.rejectLabel, undefined, 'the coursework digits keep their ten classes');
  assert.equal(ARITHMETIC.mean, MNIST_CONTRACT.mean, 'the same picture contract');
  assert.deepEqual(MNIST_CONTRACT.labels.length, 10, 'the shared constant is not mutated');
});

test('an operator picture is a function of its seed, fitted like MNIST (ink in [0, 1], centred, some blank border)', () => {
  for (const symbol of OPERATOR_SYMBOLS) {
    const a = operatorPicture(symbol, seededRandom(operatorSeed(42, 0, 7)), ARITHMETIC);
    const b = operatorPicture(symbol, seededRandom(operatorSeed(42, 0, 7)), ARITHMETIC);
    assert.deepEqual(a, b, `${symbol} is reproducible`);
    assert.equal(a.length, 784);
    let mass = 0,
      mx = 0,
      my = 0,
      peak = 0;
    for (let i = 0; i < 784; i++) {
      mass += a[i];
      mx += a[i] * (i % 28);
      my += a[i] * Math.floor(i / 28);
      peak = Math.max(peak, a[i]);
      if (i < 28 || i % 28 === 0) assert.equal(a[i], 0, `${symbol}: the outer ring is background`);
    }
    assert.ok(peak > 0.9 && peak <= 1, `${symbol}: ink peak ${peak}`);
    assert.ok(
      Math.abs(mx / mass - 13.5) < 1.5 && Math.abs(my / mass - 13.5) < 1.5,
      `${symbol}: centre of mass near the centre`,
    );
  }
  assert.notDeepEqual(
    operatorPicture('+', seededRandom(operatorSeed(42, 0, 1)), ARITHMETIC),
    operatorPicture('+', seededRandom(operatorSeed(42, 0, 2)), ARITHMETIC),
  );
});

test('strokes: ÷ has a bar and two dots, = two bars (each gone over twice by a sketchy hand), every operator renders with ink', () => {
  const rand = seededRandom(3);
  const counts = { '÷': new Set<number>(), '=': new Set<number>() };
  for (let i = 0; i < 200; i++) {
    counts['÷'].add(operatorStrokes('÷', rand).length);
    counts['='].add(operatorStrokes('=', rand).length);
  }
  assert.deepEqual([...counts['÷']].sort(), [3, 6]);
  assert.deepEqual([...counts['=']].sort(), [2, 4]);
  for (const s of OPERATOR_SYMBOLS) {
    const img = renderStrokes(operatorStrokes(s, rand));
    assert.ok(
      img.data.some((v) => v > 120),
      `${s} has strong ink`,
    );
    assert.ok(Math.min(img.width, img.height) < 64, 'a single-character crop');
  }
});

test('a broad pen may press the dots of a ÷ into blots wider than its bar, sitting on the bar; a fine pen never', () => {
  const rand = seededRandom(11);
  let blots = 0;
  for (let i = 0; i < 400; i++) {
    const [bar, ...rest] = operatorStrokes('÷', rand);
    const barWidth = Math.max(...bar.map((p) => p.width));
    for (const dot of rest) {
      const width = Math.max(...dot.map((p) => p.width));
      if (width <= 1.2 * barWidth) continue;
      blots++;
      assert.ok(barWidth >= 0.085, `a blot beside a bar ${barWidth.toFixed(3)} wide: only broad pens blot`);
      // the blot's inked disc comes within a stroke's width of the bar's course under it
      const x = dot.reduce((sum, p) => sum + p.x, 0) / dot.length;
      const y = dot.reduce((sum, p) => sum + p.y, 0) / dot.length;
      const under = bar.reduce((best, p) => (Math.abs(p.x - x) < Math.abs(best.x - x) ? p : best));
      const reach = Math.max(...dot.map((p) => Math.hypot(p.x - x, p.y - y))) + width / 2;
      assert.ok(Math.abs(y - under.y) - reach <= barWidth, 'a blot sits on the bar');
    }
  }
  assert.ok(blots >= 20, `blots in 400 ÷: ${blots}`);
});

test('withSymbols appends the operators after the digits with their labels; streams differ', () => {
  const digits: Split = {
    x: new Float32Array(3 * 784).fill(0.5),
    y: Uint8Array.from([1, 2, 3]),
    count: 3,
    rows: 28,
    cols: 28,
  };
  const o = {
    contract: ARITHMETIC,
    symbols: [...OPERATOR_SYMBOLS],
    perSymbol: 2,
    seed: 9,
    stream: SYMBOL_STREAMS.train,
  };
  const s = withSymbols(digits, o);
  assert.equal(s.count, 13);
  assert.deepEqual([...s.y], [1, 2, 3, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14]);
  assert.deepEqual(s.x.subarray(0, 3 * 784), digits.x);
  assert.deepEqual(s.x.subarray(3 * 784), synthesizeSymbols(o).x, 'the same pictures alone');
  assert.notDeepEqual(synthesizeSymbols({ ...o, stream: SYMBOL_STREAMS.test }).x, synthesizeSymbols(o).x);
  const shared = withSymbols(
    { ...digits, x: new Float32Array(new SharedArrayBuffer(3 * 784 * 4)), y: new Uint8Array(new SharedArrayBuffer(3)) },
    o,
  );
  assert.ok(shared.x.buffer instanceof SharedArrayBuffer, 'shared in, shared out');
});

test('LeNet-5 with 15 outputs: the chain step trains it (it reads the output size) and agrees with autodiff', async () => {
  await initBackend('wasm');
  enableFastWasmGradients();
  const model = buildLenet5({ seed: 5, classes: 15 });
  assert.deepEqual(model.outputs[0].shape, [null, 15]);
  assert.equal(model.countParams(), 61706 + 5 * 85);
  const s = synthesizeSymbols({
    contract: ARITHMETIC,
    symbols: ['+', '-', '×', '÷', '='],
    perSymbol: 4,
    seed: 1,
    stream: 0,
  });
  const b = gatherBatch(
    s,
    Array.from({ length: s.count }, (_, i) => i),
    0,
    s.count,
    15,
  );
  const x = tf.tensor4d(b.x, [s.count, 28, 28, 1]);
  const chain = gradientStep(model),
    auto = gradientStep(model, { chain: false });
  assert.equal(chain.kind, 'chain');
  const n = model.trainableWeights.reduce((a, w) => a + w.shape.reduce((p: number, d) => p * (d ?? 1), 1), 0);
  const gc = new Float32Array(n),
    ga = new Float32Array(n);
  const rc = chain.run(x, b.y, 1, gc),
    ra = auto.run(x, b.y, 1, ga);
  x.dispose();
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(gc[i] - ga[i]) / Math.max(1e-3, Math.abs(ga[i])));
  assert.ok(worst < 1e-3, `gradients agree (worst relative diff ${worst})`);
  assert.ok(Math.abs(rc.meanLoss - ra.meanLoss) < 1e-5);
  model.dispose();
});

test('train refuses an unknown label set (listing the valid ones) and arithmetic on the digits-only classic network', async () => {
  const { runTraining } = await import('../../src/jobs/train.js');
  const base = {
    arch: 'lenet5',
    epochs: 1,
    batchSize: 64,
    learningRate: 0.001,
    seed: 1,
    out: '/nonexistent/never-written',
    validationSize: 10,
    backend: 'cpu' as const,
  };
  await assert.rejects(
    runTraining({ ...base, symbols: 'greek' }, () => {}),
    /--symbols: unknown label set 'greek'; valid: digits, reading, arithmetic/,
  );
  await assert.rejects(
    runTraining({ ...base, arch: 'classic', symbols: 'arithmetic' }, () => {}),
    /architecture 'classic' supports digits only/,
  );
});
