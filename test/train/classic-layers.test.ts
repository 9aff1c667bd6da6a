import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { bitmapsToCentres, DIGIT_BITMAPS } from '../../src/train/layers/digit-bitmaps.js';
import { EuclideanRbf } from '../../src/train/layers/euclidean-rbf.js';
import { connectionPairs, MaskedConv2D } from '../../src/train/layers/masked-conv2d.js';
import { ScaledTanh } from '../../src/train/layers/scaled-tanh.js';
import { Softmin } from '../../src/train/layers/softmin.js';
import { Subsampling } from '../../src/train/layers/subsampling.js';
import { C3_CONNECTIONS } from '../../src/train/models/classic.js';
import { compareFloats } from '../helpers/close.js';

// Deterministic values in [-1, 1).
function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32) * 2 - 1;
  }
  return out;
}

function run(layer: tf.layers.Layer, shape: number[], x: Float32Array): { y: Float32Array; shape: number[] } {
  const inp = tf.input({ shape: shape.slice(1) });
  const model = tf.model({ inputs: inp, outputs: layer.apply(inp) as tf.SymbolicTensor });
  const out = model.predict(tf.tensor(x, shape)) as tf.Tensor;
  const r = { y: out.dataSync() as Float32Array, shape: out.shape };
  out.dispose();
  return r;
}

function assertClose(got: ArrayLike<number>, want: ArrayLike<number>, what: string, atol = 1e-5, rtol = 1e-5): void {
  const r = compareFloats(got, want, atol, rtol);
  assert.ok(
    r.ok,
    `${what}: max |diff| ${r.maxAbs} at index ${r.worstIndex} (got ${got[r.worstIndex]}, want ${want[r.worstIndex]})`,
  );
}

before(async () => {
  await initBackend('wasm');
});

test('ScaledTanh computes 1.7159 tanh(2/3 x) and maps +/-1 to about +/-1', () => {
  const x = data(40, 1).map((v) => v * 4);
  const { y } = run(new ScaledTanh(), [4, 10], x);
  assertClose(
    y,
    x.map((v) => 1.7159 * Math.tanh((2 / 3) * v)),
    'scaled tanh',
  );
  const { y: ends } = run(new ScaledTanh(), [1, 2], new Float32Array([1, -1]));
  assert.ok(Math.abs(ends[0] - 1) < 1e-3 && Math.abs(ends[1] + 1) < 1e-3, `f(1), f(-1) = ${ends[0]}, ${ends[1]}`);
});

for (const [n, h, w, c, p] of [
  [2, 8, 8, 3, 2],
  [1, 7, 9, 2, 2],
  [3, 6, 6, 1, 3],
]) {
  test(`Subsampling sums each ${p}x${p} block, scales and shifts per map (input ${[n, h, w, c]})`, () => {
    const layer = new Subsampling({ poolSize: p });
    const x = data(n * h * w * c, 2);
    const inp = tf.input({ shape: [h, w, c] });
    const model = tf.model({ inputs: inp, outputs: layer.apply(inp) as tf.SymbolicTensor });
    const coef = data(c, 3),
      bias = data(c, 4);
    layer.setWeights([tf.tensor1d(coef), tf.tensor1d(bias)]);
    const out = model.predict(tf.tensor4d(x, [n, h, w, c])) as tf.Tensor;
    const [oh, ow] = [Math.floor(h / p), Math.floor(w / p)];
    assert.deepEqual(out.shape, [n, oh, ow, c]);
    const want = new Float32Array(n * oh * ow * c);
    for (let b = 0; b < n; b++)
      for (let i = 0; i < oh; i++)
        for (let j = 0; j < ow; j++)
          for (let k = 0; k < c; k++) {
            let sum = 0;
            for (let di = 0; di < p; di++)
              for (let dj = 0; dj < p; dj++) sum += x[((b * h + i * p + di) * w + j * p + dj) * c + k];
            want[((b * oh + i) * ow + j) * c + k] = sum * coef[k] + bias[k];
          }
    assertClose(out.dataSync(), want, 'subsampling');
    assert.equal(layer.trainableWeights.length, 2);
    assert.equal(layer.countParams(), 2 * c);
  });
}

test('MaskedConv2D keeps only the connection weights and equals a dense conv with zeros elsewhere', () => {
  const table = C3_CONNECTIONS.map((c) => [...c]);
  const layer = new MaskedConv2D({ connections: table, inputMaps: 6, kernelSize: 5 });
  const [n, h, w] = [2, 9, 10];
  const inp = tf.input({ shape: [h, w, 6] });
  const model = tf.model({ inputs: inp, outputs: layer.apply(inp) as tf.SymbolicTensor });
  assert.equal(layer.countParams(), 1516, 'the paper counts 60 * 25 + 16 parameters for C3');
  const free = data(5 * 5 * 60, 5),
    bias = data(16, 6);
  layer.setWeights([tf.tensor3d(free, [5, 5, 60]), tf.tensor1d(bias)]);
  // The dense HWIO kernel written out by hand from the table.
  const dense = new Float32Array(5 * 5 * 6 * 16);
  const pairs = connectionPairs(table);
  for (let kh = 0; kh < 5; kh++)
    for (let kw = 0; kw < 5; kw++) {
      pairs.forEach(([i, o], c) => {
        dense[((kh * 5 + kw) * 6 + i) * 16 + o] = free[(kh * 5 + kw) * 60 + c];
      });
    }
  assert.deepEqual(
    Array.from(layer.denseKernel().dataSync()),
    Array.from(dense),
    'denseKernel() places each weight exactly',
  );
  const x = tf.tensor4d(data(n * h * w * 6, 7), [n, h, w, 6]);
  const got = model.predict(x) as tf.Tensor;
  const want = tf.add(tf.conv2d(x, tf.tensor4d(dense, [5, 5, 6, 16]), 1, 'valid'), tf.tensor1d(bias));
  assert.deepEqual(got.shape, [n, h - 4, w - 4, 16]);
  assertClose(got.dataSync(), want.dataSync(), 'masked conv');
});

test('MaskedConv2D: an output map ignores the input maps its table row leaves out', () => {
  const table = C3_CONNECTIONS.map((c) => [...c]);
  const layer = new MaskedConv2D({
    connections: table,
    inputMaps: 6,
    kernelSize: 5,
    kernelInitializer: tf.initializers.randomUniform({ minval: -1, maxval: 1, seed: 9 }),
  });
  const inp = tf.input({ shape: [7, 7, 6] });
  const model = tf.model({ inputs: inp, outputs: layer.apply(inp) as tf.SymbolicTensor });
  const base = data(7 * 7 * 6, 8);
  const before = (model.predict(tf.tensor4d(base, [1, 7, 7, 6])) as tf.Tensor).dataSync();
  for (let changed = 0; changed < 6; changed++) {
    const x = base.slice();
    for (let px = 0; px < 49; px++) x[px * 6 + changed] += 3;
    const after = (model.predict(tf.tensor4d(x, [1, 7, 7, 6])) as tf.Tensor).dataSync();
    for (let o = 0; o < 16; o++) {
      let moved = false;
      for (let px = 0; px < 9; px++) if (after[px * 16 + o] !== before[px * 16 + o]) moved = true;
      assert.equal(
        moved,
        table[o].includes(changed),
        `C3 map ${o} ${moved ? 'reacted to' : 'ignored'} S2 map ${changed}`,
      );
    }
  }
});

test('MaskedConv2D rejects a malformed connection table', () => {
  assert.throws(() => new MaskedConv2D({ connections: [[0, 6]], inputMaps: 6 }), /input map 6; expected 0\.\.5/);
  assert.throws(() => new MaskedConv2D({ connections: [[1, 1]], inputMaps: 6 }), /twice/);
  assert.throws(() => new MaskedConv2D({ connections: [[]], inputMaps: 6 }), /sees no input map/);
});

test("the C3 table has the paper's 60 connections: 3 neighbours, 4 neighbours, 4 non-neighbours, all six", () => {
  assert.equal(connectionPairs(C3_CONNECTIONS.map((c) => [...c])).length, 60);
  const contiguous = (ins: readonly number[]) => ins.every((v, k) => v === (ins[0] + k) % 6);
  C3_CONNECTIONS.forEach((ins, o) => {
    const [size, neighbours] = o < 6 ? [3, true] : o < 12 ? [4, true] : o < 15 ? [4, false] : [6, true];
    assert.equal(ins.length, size, `C3 map ${o} size`);
    assert.equal(contiguous(ins), neighbours, `C3 map ${o} neighbouring`);
  });
});

test('digit bitmaps: ten 7x12 pictures of +/-1, pairwise at least 10 pixels apart', () => {
  assert.equal(DIGIT_BITMAPS.length, 10);
  for (const bm of DIGIT_BITMAPS) {
    assert.equal(bm.length, 12);
    for (const row of bm) assert.equal(row.length, 7);
  }
  const { centres, count, length } = bitmapsToCentres(DIGIT_BITMAPS);
  assert.equal(length, 84);
  for (let a = 0; a < count; a++)
    for (let b = a + 1; b < count; b++) {
      let d = 0;
      for (let j = 0; j < length; j++) if (centres[a * length + j] !== centres[b * length + j]) d++;
      assert.ok(d >= 10, `bitmaps ${a} and ${b} differ in only ${d} pixels`);
    }
  assert.throws(() => bitmapsToCentres([['#x']]), /pixel 1 is 'x'/);
  assert.throws(() => bitmapsToCentres([['##'], ['###']]), /expected 2 pixels/);
});

test('EuclideanRbf outputs squared distances to the bitmaps, zero at a bitmap itself; Softmin favours the nearest', () => {
  const layer = new EuclideanRbf();
  const { centres } = bitmapsToCentres(DIGIT_BITMAPS);
  const x = new Float32Array(3 * 84);
  x.set(
    data(84, 10).map((v) => v * 1.7),
    0,
  );
  x.set(centres.subarray(3 * 84, 4 * 84), 84); // exactly the '3' bitmap
  x.set(
    centres.subarray(7 * 84, 8 * 84).map((v, j) => v * (j % 2 ? 0.9 : 1.1)),
    168,
  );
  const { y, shape } = run(layer, [3, 84], x);
  assert.deepEqual(shape, [3, 10]);
  const want = new Float32Array(30);
  for (let n = 0; n < 3; n++)
    for (let k = 0; k < 10; k++) {
      let s = 0;
      for (let j = 0; j < 84; j++) s += (x[n * 84 + j] - centres[k * 84 + j]) ** 2;
      want[n * 10 + k] = s;
    }
  assertClose(y, want, 'rbf distances');
  assert.equal(y[13], 0);
  assert.equal(layer.countParams(), 0, 'the bitmaps are fixed, not parameters');
  const { y: p } = run(new Softmin(), [3, 10], y);
  for (let n = 0; n < 3; n++) {
    const row = Array.from(p.subarray(n * 10, n * 10 + 10));
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
    const nearest = Array.from(y.subarray(n * 10, n * 10 + 10)).reduce(
      (best, v, k, arr) => (v < arr[best] ? k : best),
      0,
    );
    assert.equal(row.indexOf(Math.max(...row)), nearest);
  }
  assert.equal(p.subarray(10, 20).indexOf(Math.max(...p.subarray(10, 20))), 3);
});
