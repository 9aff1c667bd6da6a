import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { FlatAdam } from '../../src/train/step/flat-adam.js';
import { compareFloats } from '../helpers/close.js';

function data(n: number, seed: number, scale: number): Float32Array {
  const out = new Float32Array(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (s * 1664525 + 1013904223) >>> 0;
    out[i] = (s / 2 ** 32 - 0.5) * scale;
  }
  return out;
}

const SHAPES = [[5, 5, 1, 6], [6], [400, 12], [12]];

for (const backend of ['wasm', 'cpu'] as const) {
  test(`FlatAdam takes the steps of tf.train.adam (${backend}; 8 steps, gradients spanning 6 orders of magnitude)`, async () => {
    await initBackend(backend);
    const make = () =>
      SHAPES.map((s, i) =>
        tf.variable(
          tf.tensor(
            data(
              s.reduce((a, b) => a * b, 1),
              10 + i,
              0.2,
            ),
            s,
          ),
        ),
      );
    const ref = make(),
      ours = make();
    const adam = tf.train.adam(0.01);
    const flat = new FlatAdam(ours, 0.01);
    assert.equal(
      flat.size,
      SHAPES.reduce((t, s) => t + s.reduce((a, b) => a * b, 1), 0),
    );
    for (let step = 0; step < 8; step++) {
      // Per-variable scales from 1e-6 to 1: Adam's normalisation must treat each element on its own.
      const grads = SHAPES.map((s, i) =>
        data(
          s.reduce((a, b) => a * b, 1),
          100 * step + i,
          10 ** -(2 * i),
        ),
      );
      tf.tidy(() => adam.applyGradients(ref.map((v, i) => ({ name: v.name, tensor: tf.tensor(grads[i], v.shape) }))));
      const g = new Float32Array(flat.size);
      let at = 0;
      for (const x of grads) {
        g.set(x, at);
        at += x.length;
      }
      flat.step(g);
    }
    for (const [i, v] of ref.entries()) {
      const c = compareFloats(ours[i].dataSync(), v.dataSync(), 1e-6, 1e-5);
      assert.ok(c.ok, `variable ${i} (${SHAPES[i]}): max |diff| ${c.maxAbs} at index ${c.worstIndex}`);
      // Not a no-op: the weights moved by about 8 learning rates.
      const moved = compareFloats(ours[i].dataSync(), data(v.size, 10 + i, 0.2), 1e-3, 0);
      assert.ok(!moved.ok, `variable ${i} did not move`);
    }
    assert.throws(() => flat.step(new Float32Array(3)), /gradient of 3 numbers/);
    tf.dispose([...ref, ...ours]);
    adam.dispose();
  });
}
