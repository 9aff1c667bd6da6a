import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { readMnist, type IdxDataset } from '../../src/data/idx.js';
import { decideAugmentation, isMnistTrain } from '../../src/train/data/augment-choice.js';
import { runCli } from '../helpers/cli.js';
import { writeOrientationIdx } from './helpers/orientation-idx.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'lenet-augment-'));
const noProbe = async (): Promise<never> => {
  throw new Error('the probe must not run');
};

test('auto recognises MNIST by content and augments without probing (the seeded streams stay untouched)', async () => {
  const mnist = await readMnist('train');
  assert.ok(isMnistTrain(mnist));
  const d = await decideAugmentation('auto', mnist, noProbe);
  assert.equal(d.augment, true);
  assert.match(d.reason, /MNIST/);
  assert.equal(d.probe, undefined);
  // One changed label is no longer MNIST.
  const labels = mnist.labels.slice();
  labels[123] = (labels[123] + 1) % 10;
  const altered: IdxDataset = { ...mnist, labels };
  assert.equal(isMnistTrain(altered), false);
});

test('on and off are obeyed without probing', async () => {
  const mnist = await readMnist('test');
  assert.equal((await decideAugmentation('on', mnist, noProbe)).augment, true);
  assert.equal((await decideAugmentation('off', mnist, noProbe)).augment, false);
});

test('auto turns augmentation off on pictures whose class a small rotation changes, and says why', async () => {
  const data = tmp();
  writeOrientationIdx(data);
  const out = tmp();
  const r = await runCli(
    'train',
    '--data',
    data,
    '--validation-size',
    '1000',
    '--epochs',
    '1',
    '--limit',
    '3200',
    '--workers',
    '1',
    '--out',
    out,
  );
  assert.equal(r.code, 0, r.stderr);
  const line = r.stdout.split('\n').find((l) => l.startsWith('augmentation '));
  assert.ok(line, r.stdout);
  assert.match(line, /^augmentation off \(auto\): not MNIST; a probe found the distortions hurt/);
  const h = JSON.parse(readFileSync(path.join(out, 'history.json'), 'utf8'));
  assert.equal(h.config.augment, false);
  assert.equal(h.config.augmentChoice.mode, 'auto');
  const p = h.config.augmentChoice.probe;
  assert.ok(p.accuracyPlain - p.accuracyAugmented > p.margin, JSON.stringify(p));

  // The probe consumes none of the run's random streams: auto (off) trains exactly what --augment off trains.
  const off = tmp();
  const r2 = await runCli(
    'train',
    '--data',
    data,
    '--validation-size',
    '1000',
    '--epochs',
    '1',
    '--limit',
    '3200',
    '--workers',
    '1',
    '--out',
    off,
    '--no-augment',
  );
  assert.equal(r2.code, 0, r2.stderr);
  assert.match(r2.stdout, /augmentation off \(off\): --augment off/);
  const weights = (dir: string) => readdirSync(dir).find((f) => f.startsWith('weights.'));
  assert.equal(weights(out), weights(off));
});

test('--augment refuses an unknown mode', async () => {
  const r = await runCli('train', '--augment', 'maybe');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--augment: unknown value 'maybe'; valid: auto, on, off/);
});
