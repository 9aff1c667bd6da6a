// Whole-CLI runs on seeded mutations of a model directory, an ONNX file and MNIST test files (the in-process fuzz
// in test/fuzz/files.test.ts covers many more): each run ends within the bounds, with exit 0 or with exit 1 and one
// error line, never a stack trace, and touches nothing but its own outputs. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { pngBytes } from '../runtime/helpers/files.js';
import { mutate, rng } from '../fuzz/mutate.js';
import { assertBounded, assertUntouched, caseDir, runCli, snapshot, type CliRun } from './helpers.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240613);
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const mnist = await readMnist('test');

/** Exit 0, or exit 1 with one error line (predict's summary line aside). */
function assertCleanEnd(r: CliRun, what: string): void {
  assertBounded(r, what);
  assert.ok(r.code === 0 || r.code === 1, `${what}: exit ${r.code}, stderr:\n${r.stderr}`);
  if (r.code === 1) {
    const lines = r.stderr.split('\n').filter((l) => l !== '' && !/^\d+ pictures, \d+ failed/.test(l));
    assert.ok(lines.length <= 1, `${what}: more than one line on stderr:\n${r.stderr}`);
    if (lines.length === 1) assert.match(lines[0], /^lenet-onnx: error: /, what);
  }
  console.log(
    `${what}: exit ${r.code} in ${Math.round(r.ms)} ms, peak RSS ${Math.round(r.peakBytes / 2 ** 20)} MiB${r.code ? `: ${r.stderr.trim().split('\n').at(-1)}` : ''}`,
  );
}

test('inspect on mutated model.json files', async () => {
  const r = rng(SEED);
  for (let k = 0; k < 3; k++) {
    const dir = path.join(caseDir('mut-model'), 'm');
    cpSync(path.join(ROOT, 'models/lenet5'), dir, { recursive: true });
    const { bytes, how } = mutate(readFileSync(path.join(dir, 'model.json')), 'json', r);
    writeFileSync(path.join(dir, 'model.json'), bytes);
    const before = snapshot(dir);
    assertCleanEnd(await runCli(['inspect', dir]), `inspect model.json ${k} (${how})`);
    assertUntouched(dir, before);
  }
});

test('predict --model on mutated ONNX files', async () => {
  const r = rng(SEED + 1);
  const onnx = readFileSync(path.join(ROOT, 'models/lenet5.onnx'));
  for (let k = 0; k < 3; k++) {
    const dir = caseDir('mut-onnx');
    const pic = path.join(dir, 'seven.png');
    writeFileSync(pic, pngBytes({ width: 28, height: 28, data: mnist.images.slice(0, 784) }));
    const { bytes, how } = mutate(onnx, 'onnx', r);
    writeFileSync(path.join(dir, 'model.onnx'), bytes);
    const before = snapshot(dir);
    assertCleanEnd(
      await runCli(['predict', pic, '--model', path.join(dir, 'model.onnx'), '--format', 'csv']),
      `predict mutated onnx ${k} (${how})`,
    );
    assertUntouched(dir, before);
  }
});

test('evaluate --data on mutated MNIST test files', async () => {
  const r = rng(SEED + 2);
  const head = (magic: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b.writeUInt32BE(magic, 0);
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };
  const images = Buffer.concat([head(2051, [100, 28, 28]), mnist.images.subarray(0, 100 * 784)]);
  const labels = Buffer.concat([head(2049, [100]), mnist.labels.subarray(0, 100)]);
  for (let k = 0; k < 2; k++) {
    const dir = caseDir('mut-idx');
    const which = k % 2 === 0 ? 'images' : 'labels';
    const { bytes, how } = mutate(which === 'images' ? images : labels, 'idx', r);
    writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), which === 'images' ? bytes : images);
    writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), which === 'labels' ? bytes : labels);
    const svg = path.join(dir, 'c.svg');
    const before = snapshot(dir);
    const run = await runCli(['evaluate', '--data', dir, '--svg', svg]);
    assertCleanEnd(run, `evaluate mutated ${which} ${k} (${how})`);
    assertUntouched(dir, before, run.code === 0 ? ['c.svg'] : []);
  }
});
