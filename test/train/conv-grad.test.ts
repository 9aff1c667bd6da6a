import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { compareFloats } from '../helpers/close.js';

// Deterministic pseudo-random data, identical on both backends.
function data(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
}

type Case = {
  x: [number, number, number, number];
  f: [number, number, number, number];
  stride: number;
  pad: 'valid' | 'same';
};
const CASES: Case[] = [
  { x: [4, 32, 32, 1], f: [5, 5, 1, 6], stride: 1, pad: 'valid' }, // LeNet C1
  { x: [4, 14, 14, 6], f: [5, 5, 6, 16], stride: 1, pad: 'valid' }, // LeNet C3
  { x: [3, 11, 9, 2], f: [3, 3, 2, 4], stride: 2, pad: 'valid' },
  { x: [3, 11, 9, 2], f: [3, 3, 2, 4], stride: 1, pad: 'same' },
  { x: [2, 10, 13, 3], f: [4, 2, 3, 5], stride: 2, pad: 'same' },
  { x: [2, 8, 8, 1], f: [5, 5, 1, 2], stride: 3, pad: 'valid' },
];

// Gradients of sum(conv(x, f) * w) with respect to x and f, through the plain and the fused (bias) op.
function grads(c: Case, fused: boolean): { dx: Float32Array; df: Float32Array } {
  return tf.tidy(() => {
    const x = tf.tensor4d(
      data(
        c.x.reduce((a, b) => a * b),
        1,
      ),
      c.x,
    );
    const f = tf.tensor4d(
      data(
        c.f.reduce((a, b) => a * b),
        2,
      ),
      c.f,
    );
    const bias = tf.tensor1d(data(c.f[3], 4));
    const outShape = tf.conv2d(x, f, c.stride, c.pad).shape;
    const w = tf.tensor(
      data(
        outShape.reduce((a, b) => a * b),
        3,
      ),
      outShape,
    );
    const g = tf.grads((xx: tf.Tensor, ff: tf.Tensor) => {
      const y = fused
        ? tf.fused.conv2d({ x: xx as tf.Tensor4D, filter: ff as tf.Tensor4D, bias, strides: c.stride, pad: c.pad })
        : tf.conv2d(xx as tf.Tensor4D, ff as tf.Tensor4D, c.stride, c.pad);
      return tf.sum(tf.mul(y, w));
    });
    const [dx, df] = g([x, f]);
    return { dx: dx.dataSync() as Float32Array, df: df.dataSync() as Float32Array };
  });
}

test('wasm Conv2D gradients match the cpu backend (relative error <= 1e-4)', async () => {
  const reference: Array<ReturnType<typeof grads>> = [];
  await initBackend('cpu');
  for (const c of CASES) reference.push(grads(c, false));
  await initBackend('wasm');
  assert.equal(tf.getBackend(), 'wasm');
  for (const [i, c] of CASES.entries()) {
    for (const fused of [false, true]) {
      const got = grads(c, fused);
      for (const key of ['dx', 'df'] as const) {
        const r = compareFloats(got[key], reference[i][key], 1e-5, 1e-4);
        const scale = Math.max(...Array.from(reference[i][key], Math.abs));
        assert.ok(
          r.ok,
          `${key} ${JSON.stringify(c)} fused=${fused}: max |diff| ${r.maxAbs} (scale ${scale}) at index ${r.worstIndex}`,
        );
      }
    }
  }
});
