import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { gatherBatch, splitTrainValidation } from '../../src/train/data/dataset.js';
import { readMnist } from '../../src/data/idx.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { gradientStep } from '../../src/train/step/gradient-step.js';
import { evaluate } from '../../src/train/train.js';
import { correct, crossEntropy } from '../../src/train/step/loss.js';

test("evaluation on our kernels' forward pass gives the model's own predict figures", async () => {
  await initBackend('wasm');
  // 1,037 rows: four full calls of the forward pass and a short one.
  const { validation } = splitTrainValidation(await readMnist('train'), 1037, 4, 10);
  const model = buildLenet5({ seed: 3 });
  assert.equal(typeof gradientStep(model).forward, 'function', 'the wasm backend has our forward pass');
  const ours = evaluate(model, validation);
  // The model's own predict on the same rows, as evaluation ran before our kernels.
  const b = gatherBatch(
    validation,
    Array.from({ length: validation.count }, (_, i) => i),
    0,
    validation.count,
    10,
  );
  const x = tf.tensor4d(b.x, [validation.count, validation.rows, validation.cols, 1]);
  const y = tf.tensor2d(b.y, [validation.count, 10]);
  const p = model.predict(x) as tf.Tensor;
  const loss = crossEntropy(y, p).dataSync()[0],
    hits = correct(y, p).dataSync()[0];
  tf.dispose([x, y, p]);
  assert.ok(Math.abs(ours.loss - loss) <= 1e-5 * Math.max(1, loss), `loss ${ours.loss} vs ${loss}`);
  assert.equal(Math.round(ours.accuracy * validation.count), hits);
  assert.ok(ours.accuracy > 0 && ours.accuracy < 1, 'an untrained model reads some, not all');
});
