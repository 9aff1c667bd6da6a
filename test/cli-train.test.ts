import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from './helpers/cli.js';

const tmp = () => mkdtempSync(path.join(tmpdir(), 'lenet-cli-'));

/** One line on stderr, non-zero exit, and the message names what it must. */
async function failsWith(args: string[], code: number, pattern: RegExp): Promise<void> {
  const r = await runCli(...args);
  assert.equal(r.code, code, `exit code for ${args.join(' ')}: stderr=${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line: ${r.stderr}`);
  assert.match(lines[0], /^lenet-onnx: error: /);
  assert.match(lines[0], pattern);
}

test('--help lists the commands with descriptions and examples', async () => {
  const r = await runCli('--help');
  assert.equal(r.code, 0);
  assert.match(r.stdout, /train \[options\]\s+train LeNet-5 on MNIST/);
  assert.match(r.stdout, /Examples:/);
  const t = await runCli('train', '--help');
  assert.equal(t.code, 0);
  for (const opt of [
    '--epochs',
    '--batch-size',
    '--learning-rate',
    '--seed',
    '--data',
    '--out',
    '--validation-size',
    '--limit',
    '--backend',
  ]) {
    assert.ok(t.stdout.includes(opt), `train --help shows ${opt}`);
  }
});

test('bad numeric options name the option, the expectation and the value', async () => {
  await failsWith(['train', '--epochs', '0'], 2, /--epochs: expected an integer >= 1, got 0/);
  await failsWith(['train', '--epochs', '-3'], 2, /--epochs: expected an integer >= 1, got -3/);
  await failsWith(['train', '--epochs', 'five'], 2, /--epochs: expected an integer >= 1, got 'five'/);
  await failsWith(['train', '--batch-size', '2.5'], 2, /--batch-size: expected an integer/);
  await failsWith(['train', '--learning-rate', '0'], 2, /--learning-rate: expected a number > 0/);
});

test('unknown backend lists the valid ones; tensorflow without tfjs-node says how to install it', async () => {
  await failsWith(
    ['train', '--backend', 'gpu'],
    2,
    /--backend: unknown backend 'gpu'; valid: auto, tensorflow, wasm, cpu/,
  );
  await failsWith(
    ['train', '--backend', 'tensorflow', '--out', tmp()],
    2,
    /@tensorflow\/tfjs-node is not installed; install it with 'npm install @tensorflow\/tfjs-node'/,
  );
  await failsWith(['train', '--arch', 'alexnet'], 2, /--arch: unknown value 'alexnet'; valid: lenet5/);
});

test('missing data directory and batch larger than the data', async () => {
  await failsWith(
    ['train', '--data', '/no/such/dir', '--out', tmp()],
    1,
    /--data '\/no\/such\/dir': directory not found/,
  );
  await failsWith(
    ['train', '--limit', '100', '--batch-size', '200', '--out', tmp()],
    2,
    /--batch-size: 200 is larger than the 100 training samples/,
  );
});

test('unwritable output directory fails before training and writes nothing', async () => {
  const dir = tmp();
  const file = path.join(dir, 'a-file');
  writeFileSync(file, 'x');
  await failsWith(
    ['train', '--out', path.join(file, 'model')],
    1,
    /cannot write output directory '.*a-file\/model': a parent path is a file/,
  );
  assert.deepEqual(readdirSync(dir), ['a-file']);
});

test('unknown option is a usage error (exit 2)', async () => {
  const r = await runCli('train', '--epoch', '3');
  assert.equal(r.code, 2);
  assert.match(r.stderr, /unknown option '--epoch'/);
});

test('a tiny training run through the CLI writes the model and exits 0', async () => {
  const out = path.join(tmp(), 'm');
  const r = await runCli(
    'train',
    '--epochs',
    '1',
    '--limit',
    '256',
    '--validation-size',
    '64',
    '--out',
    out,
    '--backend',
    'wasm',
  );
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /epoch 1\/1: loss/);
  assert.ok(existsSync(path.join(out, 'model.json')));
});
