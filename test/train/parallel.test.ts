import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { UserError } from '../../src/errors.js';
import { initBackend } from '../../src/train/backend.js';
import { gatherBatch, splitTrainValidation, type Split } from '../../src/train/data/dataset.js';
import { readMnist } from '../../src/data/idx.js';
import { buildLenet5 } from '../../src/train/models/lenet5.js';
import { Barrier } from '../../src/train/parallel/barrier.js';
import { Replica, trainableSize, weightHash } from '../../src/train/parallel/replica.js';
import { allocateShared, shardOf, sharedSplitTrainValidation, viewShared } from '../../src/train/parallel/shared.js';
import { trainModelParallel } from '../../src/train/parallel/train-parallel.js';
import { runTraining } from '../../src/jobs/train.js';
import { crossEntropy } from '../../src/train/step/loss.js';
import { FlatAdam, readWeights } from '../../src/train/step/flat-adam.js';
import { learningRateAt } from '../../src/train/step/schedule.js';
import { trainModel, type TrainConfig } from '../../src/train/train.js';
import { compareFloats } from '../helpers/close.js';

let cached: { train: Split; validation: Split } | undefined;
async function data(): Promise<{ train: Split; validation: Split }> {
  // 650 training rows: batches of 64 end with a partial batch of 10.
  cached ??= splitTrainValidation(await readMnist('train'), 500, 7, 650);
  return cached;
}
const config = (o: Partial<TrainConfig> = {}): TrainConfig => ({
  epochs: 1,
  batchSize: 64,
  learningRate: 0.001,
  seed: 11,
  ...o,
});

test('shards cover a batch exactly once, in order, sizes within one', () => {
  for (const [size, ranks] of [
    [64, 2],
    [10, 3],
    [2, 3],
    [1, 2],
    [65, 4],
  ]) {
    let next = 0;
    const sizes: number[] = [];
    for (let r = 0; r < ranks; r++) {
      const s = shardOf(size, r, ranks);
      assert.equal(s.offset, next, `size ${size}, ${ranks} ranks, rank ${r}`);
      next += s.size;
      sizes.push(s.size);
    }
    assert.equal(next, size);
    assert.ok(Math.max(...sizes) - Math.min(...sizes) <= 1, `uneven shards ${sizes}`);
  }
});

test('the shared-memory split picks the same rows as splitTrainValidation', async () => {
  const mnist = await readMnist('train');
  for (const [validation, seed, limit] of [
    [500, 5, 5000],
    [300, 8, undefined],
  ] as const) {
    if (limit === undefined) {
      // The whole file: compare a sample of rows rather than hold two 172 MB copies.
      const a = sharedSplitTrainValidation(mnist, validation, seed);
      const b = splitTrainValidation(mnist, validation, seed, 2 * 4096 + 17);
      assert.equal(a.train.count, mnist.count - validation);
      assert.ok(a.train.x.buffer instanceof SharedArrayBuffer);
      assert.deepEqual(a.train.x.subarray(0, b.train.x.length), b.train.x);
      assert.deepEqual(a.train.y.subarray(0, b.train.count), b.train.y);
      continue;
    }
    const a = sharedSplitTrainValidation(mnist, validation, seed, limit);
    const b = splitTrainValidation(mnist, validation, seed, limit);
    assert.deepEqual(a.train.x, b.train.x);
    assert.deepEqual(a.train.y, b.train.y);
    assert.deepEqual(a.validation, b.validation);
    assert.equal(a.train.count, limit);
  }
});

test("the shards' weighted gradients add up to the whole batch's gradient (two replicas, one thread)", async () => {
  await initBackend('wasm');
  const { train } = await data();
  const ranks = 2,
    batch = 37; // odd: shards of 19 and 18
  const models = [buildLenet5({ seed: 3 }), buildLenet5({ seed: 3 })];
  const params = trainableSize(models[0]);
  const views = viewShared(allocateShared(ranks, params, train));
  views.order.set(Array.from({ length: train.count }, (_, i) => (i * 7) % train.count));
  // Replicas differentiate at the shared weights (as trainModelParallel sets them up).
  readWeights(
    models[0].trainableWeights.map((w) => w.read() as tf.Variable),
    views.weights,
  );
  const base = {
    ranks,
    batchSize: batch,
    learningRate: 0.001,
    lrSchedule: 'constant' as const,
    totalSteps: 1,
    count: train.count,
    rows: train.rows,
    cols: train.cols,
  };
  const replicas = models.map((m, rank) => new Replica(m, views, { ...base, rank }));
  for (const r of replicas) r.publish(0, 5, batch);
  const summed = new Float32Array(params);
  for (let r = 0; r < ranks; r++) {
    const slot = views.grads.subarray(r * params, (r + 1) * params);
    for (let i = 0; i < params; i++) summed[i] += slot[i];
  }
  // Reference: the single-thread step's gradient of the whole batch's mean loss.
  const reference = tf.tidy(() => {
    const b = gatherBatch(train, views.order, 5, batch, 10);
    const x = tf.tensor4d(b.x, [batch, train.rows, train.cols, 1]);
    const y = tf.tensor2d(b.y, [batch, 10]);
    const vars = models[0].trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(
      () => crossEntropy(y, models[0].apply(x, { training: true }) as tf.Tensor),
      vars,
    );
    const out = new Float32Array(params);
    let at = 0;
    for (const v of vars) {
      const g = grads[v.name].dataSync();
      out.set(g, at);
      at += g.length;
    }
    return out;
  });
  const c = compareFloats(summed, reference, 1e-6, 1e-4);
  assert.ok(c.ok, `max |diff| ${c.maxAbs} at index ${c.worstIndex}`);
  const stats = replicas[0].batchStats(0);
  assert.ok(stats.hits >= 0 && stats.hits <= batch);
  replicas.forEach((r) => r.dispose());
  models.forEach((m) => m.dispose());
});

test('split Adam: replicas that each update their own range hold the weights one Adam step on the summed gradient gives, bit for bit', async () => {
  await initBackend('wasm');
  const { train } = await data();
  const ranks = 3,
    batch = 37,
    steps = 3; // three ranks: uneven ranges of the 61,706 weights
  const models = Array.from({ length: ranks + 1 }, () => buildLenet5({ seed: 4 })); // the last one is the reference
  const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
  const params = trainableSize(models[0]);
  const views = viewShared(allocateShared(ranks, params, train));
  views.order.set(Array.from({ length: train.count }, (_, i) => (i * 11) % train.count));
  readWeights(vars(models[0]), views.weights);
  const base = {
    ranks,
    batchSize: batch,
    learningRate: 0.001,
    lrSchedule: 'cosine' as const,
    totalSteps: steps,
    count: train.count,
    rows: train.rows,
    cols: train.cols,
  };
  const replicas = models.slice(0, ranks).map((m, rank) => new Replica(m, views, { ...base, rank }));
  const reference = new FlatAdam(vars(models[ranks]), (step) => learningRateAt(0.001, 'cosine', step, steps));
  for (let step = 0; step < steps; step++) {
    for (const r of replicas) r.publish(step, step * batch, batch);
    // The reference adds the slots in rank order in float32, as the replicas do.
    const summed = new Float32Array(params);
    for (let r = 0; r < ranks; r++) {
      const at = ((step & 1) * ranks + r) * params;
      const slot = views.grads.subarray(at, at + params);
      for (let i = 0; i < params; i++) summed[i] += slot[i];
    }
    for (const r of replicas) r.update(step);
    for (const r of replicas) r.load();
    reference.step(summed);
  }
  // The variables follow the shared weights when synced (every step when the step reads its weights from the variables).
  for (const r of replicas) r.syncModel();
  const hashes = models.map((m) => weightHash(m));
  assert.deepEqual(
    hashes.slice(0, ranks),
    Array(ranks).fill(hashes[ranks]),
    'replica weights differ from the single Adam step',
  );
  // And they moved: a step that changed nothing would also agree.
  const initial = buildLenet5({ seed: 4 });
  assert.notEqual(hashes[ranks], weightHash(initial));
  [...models, initial].forEach((m) => m.dispose());
});

test('2 workers: identical replicas after every step, and the same weights on a second run', async () => {
  await initBackend('wasm');
  const { train, validation } = await data();
  const run = async () => {
    const model = buildLenet5({ seed: 5 });
    const history = await trainModelParallel(model, train, validation, config(), { workers: 2, checkEveryStep: true });
    const hash = weightHash(model);
    model.dispose();
    return { hash, history };
  };
  const first = await run();
  const second = await run();
  assert.equal(second.hash, first.hash, 'weights differ between two runs with the same seed and worker count');
  assert.deepEqual(
    second.history.map((h) => h.trainLoss),
    first.history.map((h) => h.trainLoss),
  );
});

test('runTraining with --workers 2 twice writes the same weights file, and says so in history.json', async () => {
  const runs: string[] = [];
  for (let i = 0; i < 2; i++) {
    const out = mkdtempSync(path.join(tmpdir(), 'lenet-parallel-'));
    try {
      const { history, files } = await runTraining(
        {
          arch: 'lenet5',
          epochs: 1,
          batchSize: 64,
          learningRate: 0.001,
          seed: 4,
          validationSize: 200,
          limit: 640,
          out,
          backend: 'wasm',
          progress: false,
          workers: 2,
        },
        () => undefined,
      );
      assert.equal(history.config.workers, 2);
      // The weights file is named after a hash of its bytes.
      runs.push(path.basename(files.find((f) => /weights\.[0-9a-f]+\.bin$/.test(f))!));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }
  assert.equal(runs[1], runs[0]);
});

test('1 and 2 workers train to the same weights up to float rounding and reach the same accuracy band', async () => {
  await initBackend('wasm');
  const { train, validation } = await data();
  const one = buildLenet5({ seed: 5 });
  const two = buildLenet5({ seed: 5 });
  // A few steps only: Adam divides by the gradient's running magnitude, so rounding differences in
  // near-zero gradients grow over many steps; the loss curve stays the same.
  const h1 = await trainModel(one, train, validation, config({ epochs: 2 }));
  const h2 = await trainModelParallel(two, train, validation, config({ epochs: 2 }), { workers: 2 });
  for (const [i, r] of h1.entries()) {
    assert.ok(
      Math.abs(r.trainLoss - h2[i].trainLoss) < 0.02,
      `epoch ${i + 1} train loss: 1 worker ${r.trainLoss}, 2 workers ${h2[i].trainLoss}`,
    );
    assert.ok(
      Math.abs(r.valAccuracy - h2[i].valAccuracy) < 0.03,
      `epoch ${i + 1} val accuracy: 1 worker ${r.valAccuracy}, 2 workers ${h2[i].valAccuracy}`,
    );
  }
  assert.ok(h2[1].valAccuracy > 0.5, `2 workers did not learn: val accuracy ${h2[1].valAccuracy}`);
  const w1 = one.getWeights().map((w) => w.dataSync());
  const w2 = two.getWeights().map((w) => w.dataSync());
  for (const [i, w] of w1.entries()) {
    const c = compareFloats(w2[i], w, 2e-3, 0.05);
    assert.ok(c.ok, `weight ${one.weights[i].name}: max |diff| ${c.maxAbs} at index ${c.worstIndex}`);
  }
  one.dispose();
  two.dispose();
});

test('the cpu backend trains data-parallel too, replicas identical after every step', async () => {
  await initBackend('cpu');
  try {
    const { train, validation } = await data();
    const small: Split = { ...train, x: train.x.subarray(0, 192 * 784), y: train.y.subarray(0, 192), count: 192 };
    const model = buildLenet5({ seed: 9 });
    const history = await trainModelParallel(model, small, validation, config(), { workers: 2, checkEveryStep: true });
    assert.ok(Number.isFinite(history[0].trainLoss));
    model.dispose();
  } finally {
    await initBackend('wasm');
  }
});

test('more workers than rows in a batch: idle replicas add nothing and stay identical', async () => {
  await initBackend('wasm');
  const { train, validation } = await data();
  const small: Split = { ...train, x: train.x.subarray(0, 8 * 784), y: train.y.subarray(0, 8), count: 8 };
  const model = buildLenet5({ seed: 9 });
  const history = await trainModelParallel(model, small, validation, config({ batchSize: 2 }), {
    workers: 3,
    checkEveryStep: true,
  });
  assert.equal(history.length, 1);
  assert.ok(Number.isFinite(history[0].trainLoss));
  model.dispose();
});

for (const how of ['throw', 'exit'] as const) {
  test(`a worker that dies (${how}) ends training with a one-line UserError naming it, and no thread left waiting`, async () => {
    await initBackend('wasm');
    const { train, validation } = await data();
    const model = buildLenet5({ seed: 5 });
    const started = performance.now();
    await assert.rejects(
      trainModelParallel(model, train, validation, config(), { workers: 2, fault: { rank: 1, step: 3, how } }),
      (err: unknown) => {
        assert.ok(err instanceof UserError, `expected a UserError, got ${String(err)}`);
        assert.match(err.message, /--workers 2: training worker 1 failed: .*nothing was saved/);
        assert.ok(!err.message.includes('\n'), 'the message spans several lines');
        return true;
      },
    );
    assert.ok(performance.now() - started < 30_000, 'took too long to notice the dead worker');
    model.dispose();
  });
}

test('barrier: a raised abort wakes a waiting party', async () => {
  const ctl = new Int32Array(new SharedArrayBuffer(32));
  const barrier = new Barrier(ctl, 2);
  setTimeout(() => barrier.abort(1), 50);
  await assert.rejects(barrier.arrive(), /replica 1 failed/);
});
