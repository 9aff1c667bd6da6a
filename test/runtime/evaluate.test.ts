import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runEvaluate } from '../../src/jobs/evaluate.js';
import { evaluateModel } from '../../src/runtime/node/evaluate.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { readMnist } from '../../src/data/idx.js';
import { tempDir, testOnnxPath } from './helpers/files.js';

const MODEL = testOnnxPath();

test('evaluate on the MNIST test set agrees with the accuracy recorded at training; SVG and JSON written', async () => {
  const dir = tempDir('evaluate');
  const svg = path.join(dir, 'confusion.svg');
  const json = path.join(dir, 'report.json');
  let text = '';
  const report = await runEvaluate({ model: MODEL, batchSize: 1000, worst: 5, svg, json }, (s) => {
    text += s;
  });
  const model = await loadDigitModel(MODEL);
  const recorded = Number(model.info.metadata['training.test_accuracy']);
  await model.close();
  assert.ok(Number.isFinite(recorded), 'the model records its test accuracy');
  assert.ok(Math.abs(report.accuracy - recorded) <= 0.001, `evaluate ${report.accuracy} vs recorded ${recorded}`);
  assert.match(text, /confusion matrix \(rows: true, columns: predicted\)/);
  assert.match(readFileSync(svg, 'utf8'), /^<svg [^>]*>[\s\S]*<\/svg>\n$/);
  assert.equal(JSON.parse(readFileSync(json, 'utf8')).count, 10000);
});

test('the report is internally consistent: confusion, per-class figures, worst mistakes', async () => {
  const model = await loadDigitModel(MODEL);
  const data = await readMnist('test');
  const small = {
    ...data,
    count: 600,
    images: data.images.subarray(0, 600 * 784),
    labels: data.labels.subarray(0, 600),
  };
  const r = await evaluateModel(model, small, { batchSize: 128, worst: 1000 });
  const r2 = await evaluateModel(model, small, { batchSize: 600, worst: 1000 });
  await model.close();
  const total = r.confusion.flat().reduce((a, b) => a + b, 0);
  const diagonal = r.confusion.reduce((a, row, i) => a + row[i], 0);
  assert.equal(total, 600);
  assert.equal(r.accuracy, diagonal / 600);
  assert.equal(r.worst.length, 600 - diagonal, 'every mistake is listed when worst is large');
  for (let i = 1; i < r.worst.length; i++) assert.ok(r.worst[i - 1].confidence >= r.worst[i].confidence);
  for (const m of r.worst) assert.notEqual(m.label, m.predicted);
  r.perClass.forEach((p, i) => assert.equal(p.support, small.labels.filter((l) => l === i).length));
  assert.deepEqual(r.confusion, r2.confusion, 'batch size does not change the answers');
  assert.ok(Math.abs(r.meanLoss - r2.meanLoss) < 1e-6);
});

test('wrong data for the model is refused by name', async () => {
  const model = await loadDigitModel(MODEL);
  try {
    const data = { images: new Uint8Array(2 * 32 * 32), labels: new Uint8Array(2), count: 2, rows: 32, cols: 32 };
    await assert.rejects(
      evaluateModel(model, data, { batchSize: 8, worst: 1 }),
      /data has 32x32 pictures but model '.*' takes 28x28/,
    );
  } finally {
    await model.close();
  }
  await assert.rejects(
    runEvaluate({ model: MODEL, data: tempDir('nodata'), batchSize: 8, worst: 1 }, () => undefined),
    /missing 't10k-images-idx3-ubyte'/,
  );
});
