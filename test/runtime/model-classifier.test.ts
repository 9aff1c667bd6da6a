// The one classifier of any model: on an onnxruntime-node session it gives, crop for crop, what the session's
// own run gives for the same packed batch; it honours a model's batch bound, passes the request's signal on, and
// refuses output that is not finite and crops of the wrong size.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { pictureSize, type InputContract } from '../../src/runtime/contract.js';
import { BrokenModelError, modelClassifier } from '../../src/runtime/model-classifier.js';
import type { ContractModel } from '../../src/runtime/model.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { preprocess } from '../../src/runtime/preprocess.js';
import { testOnnxPath } from './helpers/files.js';

const mnist = await readMnist('test');
const session = await loadDigitModel(testOnnxPath());
after(() => session.close());
const size = pictureSize(session.contract);
const classes = session.contract.labels.length;

/** The model inputs of the first `n` MNIST test digits, through the shared preprocessing. */
function digitInputs(n: number): Float32Array[] {
  return Array.from({ length: n }, (_, k) => {
    const pixels = mnist.images.slice(k * 784, (k + 1) * 784);
    const r = preprocess({ width: 28, height: 28, data: pixels }, session.contract);
    assert.ok(r.ok, `digit ${k}: ${r.ok ? '' : r.message}`);
    return r.input;
  });
}

/** A model without onnxruntime: each picture's output is computed from that picture alone, and runs are logged. */
function fakeModel(contract: InputContract, o: { maxBatch?: number; value?: number } = {}) {
  const runs: Array<{ n: number; signal?: AbortSignal }> = [];
  const model: ContractModel = {
    source: 'fake.onnx',
    contract,
    maxBatch: o.maxBatch,
    async run(input, n, signal) {
      runs.push({ n, signal });
      const out = new Float32Array(n * classes);
      for (let i = 0; i < n; i++)
        for (let j = 0; j < classes; j++) out[i * classes + j] = o.value ?? input[i * size + ((j * 37) % size)] + j;
      return out;
    },
  };
  return { model, runs };
}

test('on a Node session: each crop gets exactly the probabilities the session computes for it in one packed run', async () => {
  const inputs = digitInputs(7);
  const got = await modelClassifier(session)(inputs);

  const packed = new Float32Array(inputs.length * size);
  inputs.forEach((x, i) => packed.set(x, i * size));
  const direct = Float32Array.from(await session.run(packed, inputs.length));

  assert.equal(got.length, inputs.length);
  got.forEach((p, i) => {
    assert.equal(p.length, classes, `crop ${i}: one value per label`);
    assert.deepEqual(p, direct.subarray(i * classes, (i + 1) * classes), `crop ${i}: bit for bit`);
  });
  // the answers mean something: these are the test set's own labels
  const argmax = got.map((p) => p.indexOf(Math.max(...p)));
  assert.deepEqual(
    argmax.map((k) => session.contract.labels[k]),
    Array.from(mnist.labels.slice(0, 7), String),
  );
});

test('each crop owns its probabilities: no view of a buffer the model may reuse', async () => {
  const [a, b] = await modelClassifier(session)(digitInputs(2));
  assert.notEqual(a.buffer, b.buffer);
  assert.equal(a.byteOffset, 0);
  assert.equal(a.buffer.byteLength, classes * 4);
});

test('a model with a batch bound is run in parts no larger, and the crops come back in order, as from one run', async () => {
  const inputs = digitInputs(7);
  const bounded = fakeModel(session.contract, { maxBatch: 3 });
  const free = fakeModel(session.contract);
  const got = await modelClassifier(bounded.model)(inputs);
  const whole = await modelClassifier(free.model)(inputs);
  assert.deepEqual(
    bounded.runs.map((r) => r.n),
    [3, 3, 1],
  );
  assert.deepEqual(
    free.runs.map((r) => r.n),
    [7],
  );
  assert.deepEqual(got, whole);
});

test('no crops: no run, no probabilities', async () => {
  const fake = fakeModel(session.contract);
  assert.deepEqual(await modelClassifier(fake.model)([]), []);
  assert.equal(fake.runs.length, 0);
});

test("every run gets the caller's signal", async () => {
  const fake = fakeModel(session.contract, { maxBatch: 2 });
  const signal = new AbortController().signal;
  await modelClassifier(fake.model, signal)(digitInputs(3));
  assert.equal(fake.runs.length, 2);
  assert.ok(fake.runs.every((r) => r.signal === signal));
});

test('probabilities that are not finite are the broken model, said in one line', async () => {
  for (const [value, word] of [
    [NaN, 'NaN'],
    [Infinity, 'infinite'],
  ] as const) {
    const fake = fakeModel(session.contract, { value });
    await assert.rejects(
      modelClassifier(fake.model)(digitInputs(2)),
      (err: Error) =>
        err instanceof BrokenModelError &&
        err.message ===
          `the model produced ${word} probabilities for a character of this picture; the model is broken: re-train or re-export it`,
    );
  }
});

test('a crop of the wrong size and a batch bound that is no positive integer are refused, named', async () => {
  const fake = fakeModel(session.contract);
  await assert.rejects(
    modelClassifier(fake.model)([new Float32Array(size), new Float32Array(size - 1)]),
    new RangeError(`inputs[1]: expected ${size} values (one picture of model 'fake.onnx'), got ${size - 1}`),
  );
  assert.equal(fake.runs.length, 0, 'nothing runs before the crops are checked');
  for (const maxBatch of [0, 2.5, -1, NaN])
    assert.throws(
      () => modelClassifier(fakeModel(session.contract, { maxBatch }).model),
      new RangeError(`model 'fake.onnx': maxBatch: expected an integer >= 1, got ${maxBatch}`),
    );
});
