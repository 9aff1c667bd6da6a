// `inspect` of an .onnx file works in an install without the optional training packages: run the built CLI with
// every @tensorflow/* package made unresolvable, and check that the ONNX path never asks for one while the tfjs
// path does (so the hook is in effect) and says in one line what to install.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { inspectOnnx } from '../../src/jobs/inspect.js';

const HOOK = path.resolve('test/helpers/without-tensorflow.mjs');
const BIN = path.resolve('bin/lenet-onnx.js');
const TRIED = /\[tried to import @tensorflow\//;

function inspect(...args: string[]) {
  return spawnSync(process.execPath, ['--import', HOOK, BIN, 'inspect', ...args], { encoding: 'utf8' });
}

test('inspect of an .onnx file imports no @tensorflow package and prints the summary', async () => {
  const r = inspect('models/lenet5.onnx', '--json');
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr, TRIED);
  assert.deepEqual(JSON.parse(r.stdout), JSON.parse(JSON.stringify(await inspectOnnx('models/lenet5.onnx'))));
  const int8 = inspect('models/lenet5.int8.onnx');
  assert.equal(int8.status, 0, int8.stderr);
  assert.doesNotMatch(int8.stderr, TRIED);
  assert.match(int8.stdout, /quantized initializers/);
});

test('inspect of a tfjs model without TensorFlow.js: one line naming the package to install', () => {
  const r = inspect('models/lenet5');
  assert.equal(r.status, 1);
  assert.match(r.stderr, TRIED);
  const lines = r.stderr.split('\n').filter((l) => l !== '' && !TRIED.test(l));
  assert.equal(lines.length, 1, r.stderr);
  assert.match(
    lines[0],
    /^lenet-onnx: error: 'lenet-onnx inspect' needs @tensorflow\/tfjs .*npm install @tensorflow\/tfjs/,
  );
});
