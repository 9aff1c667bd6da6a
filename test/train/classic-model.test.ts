import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { loadModelDir } from '../../src/train/models/model-io.js';
import { buildClassic, CLASSIC_PAPER_PARAMETERS } from '../../src/train/models/classic.js';
import { ARCHITECTURES } from '../../src/train/models/index.js';
import { runTraining } from '../../src/jobs/train.js';
import { parameterCounts } from '../../src/train/train.js';
import { compareFloats } from '../helpers/close.js';

before(async () => {
  await initBackend('wasm');
});

test("classic LeNet-5: the paper's trainable parameters per layer, 60,000 in all; masked and fixed values are not weights", () => {
  const model = buildClassic({ seed: 1 });
  const counts = Object.fromEntries(parameterCounts(model).map((p) => [p.layer, p.params]));
  assert.deepEqual(counts, CLASSIC_PAPER_PARAMETERS);
  assert.equal(
    Object.values(counts).reduce((a, b) => a + b, 0),
    60_000,
  );
  // countParams (what inspect reports for model.json) counts every weight, trainable or not.
  assert.equal(model.countParams(), 60_000);
  assert.deepEqual(model.inputs[0].shape, [null, 28, 28, 1]);
  assert.deepEqual(model.outputs[0].shape, [null, 10]);
  assert.equal(model.outputNames[0], 'probabilities');
  model.dispose();
});

test('the same seed builds the same initial weights, another seed different ones', () => {
  const flat = (m: tf.LayersModel) => m.getWeights().flatMap((w) => Array.from(w.dataSync()));
  const [a, b, c] = [buildClassic({ seed: 3 }), buildClassic({ seed: 3 }), buildClassic({ seed: 4 })];
  assert.deepEqual(flat(a), flat(b));
  assert.notDeepEqual(flat(a), flat(c));
  [a, b, c].forEach((m) => m.dispose());
});

test('every trainable weight receives a gradient on the wasm backend, and outputs are probabilities', () => {
  const model = buildClassic({ seed: 2 });
  const x = tf.randomUniform([4, 28, 28, 1], 0, 1, 'float32', 5);
  const y = tf.oneHot(tf.tensor1d([0, 3, 7, 9], 'int32'), 10);
  const probs = model.predict(x) as tf.Tensor;
  const sums = tf.sum(probs, 1).dataSync();
  for (const s of sums) assert.ok(Math.abs(s - 1) < 1e-5, `row sum ${s}`);
  const { grads } = tf.variableGrads(
    () => tf.neg(tf.mean(tf.sum(tf.mul(y, tf.log(model.apply(x, { training: true }) as tf.Tensor)), 1))) as tf.Scalar,
  );
  assert.equal(Object.keys(grads).length, model.trainableWeights.length);
  for (const [name, g] of Object.entries(grads)) {
    const norm = tf.norm(g).dataSync()[0];
    assert.ok(Number.isFinite(norm) && norm > 0, `gradient of ${name}: norm ${norm}`);
  }
  model.dispose();
});

test('train --arch classic end to end on a small subset: learns, saves, reloads to the same predictions', async () => {
  assert.ok(ARCHITECTURES.classic, 'classic is a --arch choice');
  const out = mkdtempSync(path.join(tmpdir(), 'lenet-classic-train-'));
  try {
    const lines: string[] = [];
    const { history } = await runTraining(
      {
        arch: 'classic',
        epochs: 1,
        batchSize: 32,
        learningRate: 0.001,
        seed: 42,
        validationSize: 500,
        limit: 1500,
        out,
        backend: 'wasm',
        progress: false,
      },
      (l) => lines.push(l),
    );
    assert.equal(history.arch, 'classic');
    assert.equal(history.parameters.total, 60_000);
    // Chance is 10%; one pass over 1,500 images takes a working network well past it.
    assert.ok(history.test.accuracy > 0.5, `test accuracy ${history.test.accuracy} after one epoch on 1,500 images`);
    const json = JSON.parse(readFileSync(path.join(out, 'model.json'), 'utf8'));
    const classes = new Set<string>(json.modelTopology.config.layers.map((l: { class_name: string }) => l.class_name));
    for (const c of ['ScaledTanh', 'Subsampling', 'MaskedConv2D', 'EuclideanRbf', 'Softmin'])
      assert.ok(classes.has(c), `model.json has a ${c} layer`);
    assert.equal(json.userDefinedMetadata.training.arch, 'classic');
    const card = readFileSync(path.join(out, 'card.md'), 'utf8');
    assert.match(card, /Trainable parameters: 60,000 \(c1 156, s2 12, c3 1516, s4 32, c5 48120, f6 10164\)/);

    const reloaded = await loadModelDir(out);
    const again = await loadModelDir(out);
    const x = tf.randomUniform([8, 28, 28, 1], 0, 1, 'float32', 9);
    const a = (reloaded.predict(x) as tf.Tensor).dataSync();
    const b = (again.predict(x) as tf.Tensor).dataSync();
    const r = compareFloats(a, b, 0, 0);
    assert.ok(r.ok, `two loads disagree at ${r.worstIndex}`);
    reloaded.dispose();
    again.dispose();
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});
