import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import {
  disableFastWasmGradients,
  enableFastWasmGradients,
  fastWasmGradientsEnabled,
} from '../../src/train/step/wasm-fast-grads.js';
import { compareFloats } from '../helpers/close.js';

// Deterministic pseudo-random data, identical on every backend.
function data(n: number, seed: number, quantise = false): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    // Quantised values make ties inside pooling windows common, which is where max-pool rules differ.
    out[i] = quantise ? Math.floor((s / 2 ** 32) * 4) : s / 2 ** 32 - 0.5;
  }
  return out;
}
const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

type ConvCase = {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'valid' | 'same';
};
const CONV: ConvCase[] = [
  { x: [4, 14, 14, 6], f: [5, 5, 6, 16], stride: 1, pad: 'valid' }, // LeNet C3
  { x: [3, 9, 11, 2], f: [3, 3, 2, 4], stride: 1, pad: 'same' },
  { x: [2, 10, 13, 3], f: [4, 2, 3, 5], stride: 1, pad: 'same' }, // even kernel: uneven padding
  { x: [2, 11, 9, 2], f: [3, 3, 2, 4], stride: 2, pad: 'valid' }, // strided: the original kernel
];

type PoolCase = {
  x: [number, number, number, number];
  size: number;
  stride: number;
  pad: 'valid' | 'same';
  ties: boolean;
};
const POOL: PoolCase[] = [
  { x: [4, 28, 28, 6], size: 2, stride: 2, pad: 'valid', ties: false }, // LeNet S2
  { x: [3, 10, 10, 4], size: 2, stride: 2, pad: 'valid', ties: true },
  { x: [2, 9, 7, 3], size: 3, stride: 1, pad: 'same', ties: true }, // overlapping windows, padding
  { x: [2, 11, 9, 2], size: 3, stride: 2, pad: 'valid', ties: false },
  { x: [2, 11, 9, 3], size: 2, stride: 2, pad: 'valid', ties: true }, // odd sides: last row/column unused
];

type PadCase = { x: number[]; pad: Array<[number, number]>; value: number };
const PAD: PadCase[] = [
  {
    x: [4, 28, 28, 1],
    pad: [
      [0, 0],
      [2, 2],
      [2, 2],
      [0, 0],
    ],
    value: 0,
  }, // LeNet's 28 -> 32
  {
    x: [3, 5, 4],
    pad: [
      [1, 0],
      [0, 2],
      [3, 1],
    ],
    value: -1.5,
  },
  {
    x: [2, 3, 4, 5],
    pad: [
      [1, 1],
      [0, 0],
      [0, 0],
      [0, 0],
    ],
    value: 2,
  }, // only the outermost axis
  { x: [7], pad: [[2, 3]], value: 0.25 },
];

type MatCase = { a: number[]; b: number[]; ta: boolean; tb: boolean };
const MATMUL: MatCase[] = [
  { a: [64, 120], b: [400, 120], ta: false, tb: true }, // dense dx
  { a: [64, 400], b: [64, 120], ta: true, tb: false }, // dense dW
  { a: [7, 5], b: [3, 7], ta: true, tb: true },
  { a: [2, 6, 4], b: [2, 5, 6], ta: true, tb: true }, // batched
  { a: [9, 4], b: [4, 3], ta: false, tb: false },
];

function convDx(c: ConvCase): Float32Array {
  return tf.tidy(() => {
    const f = tf.tensor4d(data(size(c.f), 2), c.f);
    const outShape = tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, f, c.stride, c.pad).shape;
    const dy = tf.tensor4d(data(size(outShape), 3), outShape as [number, number, number, number]);
    return tf.conv2dTranspose(dy, f, c.x, c.stride, c.pad).dataSync() as Float32Array;
  });
}

function poolDx(c: PoolCase): Float32Array {
  return tf.tidy(() => {
    const x = tf.tensor4d(data(size(c.x), 5, c.ties), c.x);
    const g = tf.grad((v: tf.Tensor) => {
      const y = tf.maxPool(v as tf.Tensor4D, c.size, c.stride, c.pad);
      return tf.sum(tf.mul(y, tf.tensor(data(size(y.shape), 6), y.shape)));
    });
    return g(x).dataSync() as Float32Array;
  });
}

function matmul(c: MatCase): Float32Array {
  return tf.tidy(
    () =>
      tf
        .matMul(tf.tensor(data(size(c.a), 7), c.a), tf.tensor(data(size(c.b), 8), c.b), c.ta, c.tb)
        .dataSync() as Float32Array,
  );
}

function pad(c: PadCase): Float32Array {
  return tf.tidy(() => tf.pad(tf.tensor(data(size(c.x), 9), c.x), c.pad, c.value).dataSync() as Float32Array);
}

function all(): Float32Array[] {
  return [...CONV.map(convDx), ...POOL.map(poolDx), ...MATMUL.map(matmul), ...PAD.map(pad)];
}
const LABELS = [
  ...CONV.map((c) => `conv dx ${JSON.stringify(c)}`),
  ...POOL.map((c) => `maxpool dx ${JSON.stringify(c)}`),
  ...MATMUL.map((c) => `matmul ${JSON.stringify(c)}`),
  ...PAD.map((c) => `pad ${JSON.stringify(c)}`),
];

test('fast wasm gradient kernels match the cpu backend (atol 1e-5 or rtol 1e-4)', async () => {
  await initBackend('cpu');
  const reference = all();
  await initBackend('wasm');
  enableFastWasmGradients();
  enableFastWasmGradients(); // idempotent
  assert.ok(fastWasmGradientsEnabled());
  try {
    const got = all();
    for (const [i, label] of LABELS.entries()) {
      const r = compareFloats(got[i], reference[i], 1e-5, 1e-4);
      assert.ok(r.ok, `${label}: max |diff| ${r.maxAbs} at index ${r.worstIndex}`);
    }
  } finally {
    disableFastWasmGradients();
  }
  assert.ok(!fastWasmGradientsEnabled());
});

test("disableFastWasmGradients puts the backend's own kernels back", async () => {
  await initBackend('wasm');
  const names = ['Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'PadV2'];
  const own = names.map((n) => tf.getKernel(n, 'wasm')!.kernelFunc);
  enableFastWasmGradients();
  names.forEach((n, i) => assert.notEqual(tf.getKernel(n, 'wasm')!.kernelFunc, own[i], `${n} was not replaced`));
  disableFastWasmGradients();
  names.forEach((n, i) => assert.equal(tf.getKernel(n, 'wasm')!.kernelFunc, own[i], `${n} was not restored`));
});

test("the wasm backend's own MaxPoolGrad misroutes all-negative windows; the fast one does not", async () => {
  // Why the fast kernel is also a fix: the backend's loop starts its running max at 0, so a window whose
  // values are all negative sends its gradient to the window's first element instead of its maximum.
  const run = () =>
    tf.tidy(() => {
      const x = tf.tensor4d([-0.3, -0.1, -0.2, -0.4], [1, 2, 2, 1]);
      return Array.from(
        tf
          .grad((v: tf.Tensor) => tf.sum(tf.maxPool(v as tf.Tensor4D, 2, 2, 'valid')))(x)
          .dataSync(),
      );
    });
  await initBackend('cpu');
  const reference = run();
  assert.deepEqual(reference, [0, 1, 0, 0]);
  await initBackend('wasm');
  const own = run();
  enableFastWasmGradients();
  try {
    assert.deepEqual(run(), reference);
  } finally {
    disableFastWasmGradients();
  }
  // Documents the upstream behaviour; if a tfjs upgrade fixes it this line says so.
  assert.notDeepEqual(
    own,
    reference,
    'the backend MaxPoolGrad now handles negative windows: the note in wasm-fast-grads.ts can go',
  );
});
