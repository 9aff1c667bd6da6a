import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTraining, type TrainingOptions } from '../../src/jobs/train.js';
import { loadModelDir } from '../../src/train/models/model-io.js';
import { contractFromMetadata } from '../../src/runtime/contract.js';
import { readMnist } from '../../src/data/idx.js';
import { head } from '../../src/train/data/dataset.js';
import { evaluate } from '../../src/train/train.js';

const quiet = () => undefined;
const base = (out: string): TrainingOptions => ({
  arch: 'lenet5',
  epochs: 2,
  batchSize: 64,
  learningRate: 0.001,
  lrSchedule: 'cosine',
  seed: 3,
  validationSize: 500,
  limit: 5000,
  out,
  backend: 'wasm',
  progress: false,
});

test('a short real run on 5,000 images learns (test accuracy > 90%) and writes every artefact', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'lenet-train-'));
  const { history, files } = await runTraining(base(out), quiet);
  assert.ok(history.test.accuracy > 0.9, `test accuracy ${history.test.accuracy}`);
  assert.equal(history.test.samples, 10000);
  assert.equal(history.epochs.length, 2);
  assert.ok(history.epochs[1].trainLoss < history.epochs[0].trainLoss, 'loss falls');
  assert.equal(files.length, 5);

  // history.json: per-epoch figures, config, seed, backend, versions, durations.
  const h = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8'));
  assert.equal(h.config.seed, 3);
  assert.equal(h.config.lrSchedule, 'cosine');
  assert.equal(h.config.trainSamples, 5000);
  assert.equal(h.backend, 'wasm');
  assert.ok(h.versions.tfjs && h.versions.node && h.versions['lenet-onnx']);
  assert.equal(h.parameters.total, 61706);
  for (const e of h.epochs) {
    for (const k of ['trainLoss', 'trainAccuracy', 'valLoss', 'valAccuracy', 'seconds', 'samplesPerSecond']) {
      assert.ok(Number.isFinite(e[k]) && e[k] >= 0, `${k} = ${e[k]}`);
    }
  }

  // curves.svg: a real SVG with both panels, labelled axes and one line per split and metric.
  const svg = readFileSync(path.join(out, 'curves.svg'), 'utf8');
  assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\s*$/);
  for (const label of [
    'epoch',
    'accuracy',
    'mean cross-entropy per sample',
    'train',
    'validation',
    'Loss',
    'Accuracy',
  ]) {
    assert.ok(svg.includes(`>${label}<`), `curves.svg shows '${label}'`);
  }
  assert.equal((svg.match(/aria-roledescription="line mark"/g) ?? []).length, 4, 'four lines');

  // The saved model reloads, carries its contract and reproduces the recorded test accuracy.
  const model = await loadModelDir(out);
  const meta = model.getUserDefinedMetadata() as {
    contract: Record<string, string>;
    training: { testAccuracy: number };
  };
  const c = contractFromMetadata(meta.contract);
  assert.deepEqual([c.height, c.width, c.ink, c.mean, c.std], [28, 28, 'high', 0.1307, 0.3081]);
  const again = evaluate(model, head(await readMnist('test')));
  assert.equal(again.accuracy, history.test.accuracy);
  assert.equal(meta.training.testAccuracy, history.test.accuracy);
  assert.match(readFileSync(path.join(out, 'card.md'), 'utf8'), /Test accuracy: \*\*\d+\.\d\d%\*\*/);
  model.dispose();
});

test('a fixed seed gives identical weights twice', async () => {
  const weights = async () => {
    const out = mkdtempSync(path.join(tmpdir(), 'lenet-seed-'));
    await runTraining({ ...base(out), epochs: 1, limit: 640, validationSize: 100 }, quiet);
    return readdirSync(out)
      .filter((f) => f.endsWith('.bin'))
      .map((f) => readFileSync(path.join(out, f)).toString('hex'))[0];
  };
  assert.equal(await weights(), await weights());
});

test('saving again replaces the model atomically and leaves no stray weights', async () => {
  const out = mkdtempSync(path.join(tmpdir(), 'lenet-save-'));
  await runTraining({ ...base(out), epochs: 1, limit: 320, validationSize: 100, seed: 1 }, quiet);
  writeFileSync(path.join(out, 'unrelated.txt'), 'keep me');
  await runTraining({ ...base(out), epochs: 1, limit: 320, validationSize: 100, seed: 2 }, quiet);
  const names = readdirSync(out).sort();
  assert.equal(names.filter((n) => n.endsWith('.bin')).length, 1);
  assert.ok(names.includes('unrelated.txt'));
  assert.ok(!names.some((n) => n.endsWith('.tmp')), `no temp files: ${names}`);
  const model = await loadModelDir(out);
  assert.equal((model.getUserDefinedMetadata() as { training: { seed: number } }).training.seed, 2);
  model.dispose();
});
