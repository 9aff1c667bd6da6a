import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, existsSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { runPredict, type PredictJobOptions } from '../../src/jobs/predict.js';
import { UserError } from '../../src/errors.js';
import { predictStream, type PredictRow } from '../../src/runtime/node/predict.js';
import { loadDigitModel, type DigitModel } from '../../src/runtime/node/session.js';
import { SECOND_LOOK } from '../../src/runtime/reader-thresholds.js';
import { SECOND_VIEW_COUNT } from '../../src/runtime/second-look.js';
import { lookAgainAtPictures } from '../../src/runtime/predict-input.js';
import { walkPictures } from '../../src/runtime/node/walk.js';
import { readMnist } from '../../src/data/idx.js';
import { jpegBytes, pngBytes, put, tempDir, testOnnxPath } from './helpers/files.js';
import { robustnessVariants } from './helpers/transforms.js';

const MODEL = testOnnxPath();
const mnist = await readMnist('test');
const digit = (k: number) => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });
const OPTS: PredictJobOptions = { model: MODEL, batchSize: 64, topK: 3, format: 'jsonl', workers: 2, progress: false };
const quiet = () => undefined;

async function predictDir(dir: string, batchSize = 64): Promise<PredictRow[]> {
  const model = await loadDigitModel(MODEL);
  const rows: PredictRow[] = [];
  try {
    for await (const r of predictStream(walkPictures([dir]), model, { batchSize, topK: 3, workers: 2, chunkSize: 16 }))
      rows.push(r);
  } finally {
    await model.close();
  }
  return rows;
}

/**
 * `predict`'s reading of the raw test pixels (no files, no preprocessing): the model's output, as `evaluate`
 * computes it, with the second look at the unsure ones that every `predict` takes.
 */
async function directPredictions(n: number): Promise<number[]> {
  const model = await loadDigitModel(MODEL);
  try {
    const input = Float32Array.from(mnist.images.subarray(0, n * 784), (v) => v / 255);
    const run = await model.run(input, n);
    const classes = model.contract.labels.length;
    const probs = await lookAgainAtPictures(
      model,
      Array.from({ length: n }, (_, i) => input.subarray(i * 784, (i + 1) * 784)),
      Array.from({ length: n }, (_, i) => run.subarray(i * classes, (i + 1) * classes)),
    );
    return probs.map((p) => {
      let best = 0;
      for (let q = 1; q < 10; q++) if (p[q] > p[best]) best = q;
      return best;
    });
  } finally {
    await model.close();
  }
}

const N = 400;
const cleanDir = tempDir('clean');
for (let k = 0; k < N; k++) put(cleanDir, `${String(k).padStart(5, '0')}.png`, pngBytes(digit(k)));

test('MNIST digits as PNG files get the same answers as predict reading the raw pixels', async () => {
  const [rows, direct] = await Promise.all([predictDir(cleanDir), directPredictions(N)]);
  assert.equal(rows.length, N);
  let same = 0,
    rightFiles = 0,
    rightDirect = 0;
  rows.forEach((r, k) => {
    assert.equal(path.basename(r.path), `${String(k).padStart(5, '0')}.png`, 'rows come in sorted input order');
    assert.equal(r.error, null);
    if (Number(r.digit) === direct[k]) same++;
    if (Number(r.digit) === mnist.labels[k]) rightFiles++;
    if (direct[k] === mnist.labels[k]) rightDirect++;
  });
  assert.ok(same >= N - 2, `file path and raw pixels agree on ${same}/${N}`);
  assert.ok(
    Math.abs(rightFiles - rightDirect) <= 1,
    `accuracy via files ${rightFiles}/${N}, direct ${rightDirect}/${N}`,
  );
});

test('predict looks again at a picture read under SECOND_LOOK.surePicture, its views in runs no larger than a batch', async () => {
  const dir = tempDir('second-look');
  for (let k = 0; k < 3; k++) put(dir, `${k}.png`, pngBytes(digit(k)));
  const real = await loadDigitModel(MODEL);
  const classes = real.contract.labels.length;
  const seven = real.contract.labels.indexOf('7');
  /** A stub on the real model's contract: the runs named in `unsureRuns` read every picture as '1' at `p`. */
  const stubbed = (p: number, unsureRuns: number[]) => {
    const runs: number[] = [];
    const model: DigitModel = {
      ...real,
      run: async (_x, n) => {
        const out = new Float32Array(n * classes);
        const one = unsureRuns.includes(runs.length);
        for (let i = 0; i < n; i++) {
          out[i * classes + (one ? 1 : seven)] = one ? p : 1;
          if (one) out[i * classes + seven] = 1 - p;
        }
        runs.push(n);
        return out;
      },
    };
    return { model, runs };
  };
  const rowsOf = async (model: DigitModel) => {
    const rows: PredictRow[] = [];
    for await (const r of predictStream(walkPictures([dir]), model, { batchSize: 2, topK: 2, workers: 1 }))
      rows.push(r);
    return rows;
  };
  try {
    // unsure: each batch's pictures, then their four views each in runs of at most 2
    const unsure = stubbed(0.6, [0, 1 + (2 * SECOND_VIEW_COUNT) / 2]);
    const rows = await rowsOf(unsure.model);
    const views = (n: number) => Array<number>((n * SECOND_VIEW_COUNT) / 2).fill(2);
    assert.deepEqual(unsure.runs, [2, ...views(2), 1, ...views(1)]);
    for (const r of rows) {
      assert.equal(r.digit, '7', r.path);
      assert.ok(Math.abs(r.probability! - (0.4 + SECOND_VIEW_COUNT) / (SECOND_VIEW_COUNT + 1)) < 1e-6, r.path);
    }
    // sure enough for predict, though the line reader would look again: one run per batch
    const between = (SECOND_LOOK.surePicture + SECOND_LOOK.sureReading) / 2;
    const sure = stubbed(between, [0, 1]);
    for (const r of await rowsOf(sure.model)) assert.ok(r.digit === '1' && Math.abs(r.probability! - between) < 1e-6);
    assert.deepEqual(sure.runs, [2, 1]);
  } finally {
    await real.close();
  }
});

test('batch size does not change the answers', async () => {
  const a = await predictDir(cleanDir, 7);
  const b = await predictDir(cleanDir, 256);
  assert.deepEqual(
    a.map((r) => r.digit),
    b.map((r) => r.digit),
  );
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i].probability! - b[i].probability!) < 1e-5, `row ${i}`);
});

test('robustness: inverted, off-centre padded and 4x scaled digits (PNG and JPEG) at >= 98%', async () => {
  const dir = tempDir('robust');
  // Every 20th test digit: a sample spread over the whole test set, so its accuracy tracks the full set's
  // (the benchmark runs all 10,000) rather than one stretch of harder or easier digits.
  const n = 500;
  const pick = (k: number) => 7 + 20 * k;
  for (let k = 0; k < n; k++) {
    const v = robustnessVariants(digit(pick(k)), k);
    put(dir, `inverted-${k}.png`, pngBytes(v.inverted));
    put(dir, `padded-${k}.png`, pngBytes(v.padded));
    put(dir, `scaled-${k}.jpg`, jpegBytes(v.scaled));
  }
  const rows = await predictDir(dir);
  const score: Record<string, [number, number]> = {};
  for (const r of rows) {
    const [kind, k] = path.basename(r.path).split(/[-.]/);
    score[kind] ??= [0, 0];
    score[kind][1]++;
    if (Number(r.digit) === mnist.labels[pick(Number(k))]) score[kind][0]++;
  }
  for (const [kind, [ok, total]] of Object.entries(score)) {
    assert.equal(total, n);
    assert.ok(ok / total >= 0.98, `${kind}: ${ok}/${total}`);
  }
});

test('bad files are reported in their rows and the run goes on; the command exits non-zero', async () => {
  const dir = tempDir('bad');
  put(dir, 'a-good.png', pngBytes(digit(0)));
  put(dir, 'b-empty.png', new Uint8Array(0));
  put(dir, 'c-text.png', 'just some text\n');
  put(dir, 'd-truncated.png', pngBytes(digit(1)).subarray(0, 70));
  put(dir, 'e-blank.png', pngBytes({ width: 50, height: 40, data: new Uint8Array(2000).fill(255) }));
  put(dir, 'f-good.jpg', jpegBytes(digit(2)));
  const out = path.join(dir, 'rows.jsonl');
  const lines: string[] = [];
  await assert.rejects(
    runPredict([dir], { ...OPTS, out }, (l) => lines.push(l)),
    (e: Error) => {
      assert.ok(e instanceof UserError);
      assert.match(e.message, /^4 of 6 pictures failed; their rows say why$/);
      return true;
    },
  );
  assert.match(lines.join('\n'), /6 pictures, 4 failed, \d+ img\/s/);
  const rows = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as PredictRow);
  const errors = Object.fromEntries(rows.map((r) => [path.basename(r.path), r.error]));
  assert.equal(errors['a-good.png'], null);
  assert.equal(errors['f-good.jpg'], null);
  assert.match(errors['b-empty.png']!, /empty file/);
  assert.match(errors['c-text.png']!, /not a picture/);
  assert.match(errors['d-truncated.png']!, /truncated PNG/);
  assert.match(errors['e-blank.png']!, /no ink found/);
  assert.equal(rows[0].digit, String(mnist.labels[0]));
  assert.equal(rows[0].topK.length, 3);
});

test('every format is well-formed and --out is complete (no temp files left)', async () => {
  const dir = tempDir('formats');
  for (let k = 0; k < 5; k++) put(dir, `${k}.png`, pngBytes(digit(k)));
  put(dir, 'odd, "name".png', pngBytes(digit(5)));
  const outDir = tempDir('formats-out');
  for (const format of ['json', 'jsonl', 'csv', 'table'] as const) {
    const out = path.join(outDir, `rows.${format}`);
    await runPredict([dir], { ...OPTS, format, out }, quiet);
    const text = readFileSync(out, 'utf8');
    if (format === 'json') assert.equal((JSON.parse(text) as PredictRow[]).length, 6);
    if (format === 'jsonl')
      assert.equal(
        text
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l)).length,
        6,
      );
    if (format === 'csv') {
      assert.match(text, /^path,digit,probability,top_k,error,note,not_character\n/);
      assert.match(text, /"[^"]*odd, ""name"".png",\d,/);
    }
    if (format === 'table') assert.equal(text.trim().split('\n').length, 7);
  }
  assert.deepEqual(
    readdirSync(outDir).filter((f) => f.endsWith('.tmp')),
    [],
  );
});

test('an empty folder is an error naming it, and no output file is left behind', async () => {
  const dir = tempDir('nothing');
  const out = path.join(tempDir('nothing-out'), 'rows.json');
  await assert.rejects(runPredict([dir], { ...OPTS, out }, quiet), new RegExp(`no pictures found in '${dir}'`));
  assert.equal(existsSync(out), false);
});

test('a missing model, a non-ONNX file and a model whose input breaks its contract are refused by name', async () => {
  const dir = tempDir('models');
  await assert.rejects(
    loadDigitModel(path.join(dir, 'none.onnx')),
    /model '.*none\.onnx' not found: expected an \.onnx file/,
  );
  const junk = put(dir, 'junk.onnx', 'not a model at all');
  await assert.rejects(loadDigitModel(junk), /model '.*junk\.onnx': .*not an ONNX model/);
  // The same graph with its declared input changed to 32x32: the contract still says 28x28.
  const { decodeModel, encodeModel } = await import('../../src/onnx/encode.js');
  const m = decodeModel(new Uint8Array(readFileSync(MODEL)));
  const dims = m.graph.input[0].type.tensorType.shape.dim;
  dims[2] = { dimValue: 32 };
  dims[3] = { dimValue: 32 };
  const bad = path.join(dir, 'bad-input.onnx');
  writeFileSync(bad, encodeModel(m));
  await assert.rejects(
    loadDigitModel(bad),
    /model '.*bad-input\.onnx': input 'image' is float32 \[N,1,32,32\] but its contract says float32 \[N,1,28,28\] \(NCHW\)/,
  );
  // No contract at all.
  const bare = decodeModel(new Uint8Array(readFileSync(MODEL)));
  bare.metadataProps = bare.metadataProps.filter((p) => !p.key.startsWith('contract.'));
  const noContract = path.join(dir, 'no-contract.onnx');
  writeFileSync(noContract, encodeModel(bare));
  await assert.rejects(loadDigitModel(noContract), /no-contract\.onnx': metadata has no 'contract\./);
});

test('a folder of nested pictures is walked recursively, in order', async () => {
  const dir = tempDir('nested');
  mkdirSync(path.join(dir, 'b'));
  mkdirSync(path.join(dir, 'a', 'deep'), { recursive: true });
  put(path.join(dir, 'a', 'deep'), '1.png', pngBytes(digit(1)));
  put(path.join(dir, 'b'), '2.png', pngBytes(digit(2)));
  put(dir, '0.png', pngBytes(digit(0)));
  const rows = await predictDir(dir);
  assert.deepEqual(
    rows.map((r) => path.relative(dir, r.path)),
    ['0.png', 'a/deep/1.png', 'b/2.png'],
  );
  assert.deepEqual(
    rows.map((r) => r.digit),
    [0, 1, 2].map((k) => String(mnist.labels[k])),
  );
});
