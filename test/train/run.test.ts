import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prepareRun, type RunEvents, type RunOptions } from '../../src/train/run.js';
import { LABEL_SETS } from '../../src/train/models/label-sets.js';

const options: RunOptions = {
  arch: 'lenet5',
  epochs: 2,
  batchSize: 64,
  learningRate: 0.001,
  seed: 7,
  validationSize: 100,
  limit: 320,
  backend: 'wasm',
  workers: 1,
};

/** Events that record their names in order, with what `started` and `tested` said. */
function recorder() {
  const seen: string[] = [];
  const said: { started?: Parameters<NonNullable<RunEvents['started']>>[0]; samples?: number } = {};
  const events: RunEvents = {
    synthesised: () => seen.push('synthesised'),
    started: (e) => {
      seen.push('started');
      said.started = e;
    },
    augmentation: () => seen.push('augmentation'),
    gradients: () => seen.push('gradients'),
    onEpochStart: (epoch) => seen.push(`epoch ${epoch} start`),
    onEpochEnd: (r) => seen.push(`epoch ${r.epoch} end`),
    symbolValidation: (v) => seen.push(`symbols ${v.epoch}`),
    tested: (t) => {
      seen.push('tested');
      said.samples = t.samples;
    },
    symbolsTested: () => seen.push('symbols tested'),
  };
  return { seen, said, events };
}

test('a run tells what it does in order, and its history and model metadata agree with it', async () => {
  const { seen, said, events } = recorder();
  const prepared = await prepareRun({ ...options, augment: 'off' }, events);
  assert.deepEqual(seen, [], 'nothing happens before train()');
  const { model, history } = await prepared.train();
  try {
    assert.deepEqual(seen, [
      'started',
      'augmentation',
      'gradients',
      'epoch 1 start',
      'epoch 1 end',
      'epoch 2 start',
      'epoch 2 end',
      'tested',
    ]);
    assert.equal(said.started?.train, 320);
    assert.equal(said.started?.validation, 100);
    assert.deepEqual(said.started?.extras, []);
    assert.equal(said.samples, 10000);
    assert.equal(history.config.trainSamples, 320);
    assert.equal(history.epochs.length, 2);
    assert.equal(history.symbols, undefined);
    const meta = model.getUserDefinedMetadata() as { contract: Record<string, string>; training: { seed: number } };
    assert.deepEqual(meta.contract, history.contract);
    assert.equal(meta.training.seed, 7);
  } finally {
    model.dispose();
  }
});

test('a run with symbols beyond digits synthesises them first and scores them apart after every epoch', async () => {
  const { seen, said, events } = recorder();
  const prepared = await prepareRun({ ...options, epochs: 1, symbols: 'arithmetic', augment: 'off' }, events);
  assert.deepEqual(seen, ['synthesised'], 'symbols are made while the run is prepared');
  const { model, history } = await prepared.train();
  model.dispose();
  assert.deepEqual(seen.slice(1), [
    'started',
    'augmentation',
    'gradients',
    'epoch 1 start',
    'epoch 1 end',
    'symbols 1',
    'tested',
    'symbols tested',
  ]);
  // 32 pictures of each of the five operators and of 'none' join the 320 digits, and the label set's share of
  // digits in other styles is added on top.
  const styled = Math.round(320 * (LABEL_SETS.arithmetic.styledDigits ?? 0));
  assert.ok(styled > 0, 'the arithmetic set trains on styled digits too');
  assert.equal(said.started?.train, 320 + 6 * 32 + styled);
  assert.deepEqual(said.started?.extras, ['+', '-', '×', '÷', '=', 'none']);
  assert.equal(history.symbols?.labels.length, 16);
  assert.equal(history.symbols?.validation.length, 1);
  assert.equal(history.symbols?.test.symbols.samples, 6000);
});

test('a run refuses a batch larger than its training data while it is prepared, before training', async () => {
  const { seen, events } = recorder();
  await assert.rejects(
    prepareRun({ ...options, batchSize: 500 }, events),
    /--batch-size: 500 is larger than the 320 training samples; use at most 320/,
  );
  assert.deepEqual(seen, []);
});
