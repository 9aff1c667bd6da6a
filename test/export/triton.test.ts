import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { tritonConfig } from '../../src/export/triton.js';
import { contractFromMetadata } from '../../src/runtime/contract.js';
import { readOnnxInfo } from '../../src/onnx/info.js';
import { runCli } from '../helpers/cli.js';

const root = mkdtempSync(path.join(tmpdir(), 'lenet-triton-'));

test(
  'export --triton lays the verified file out as a Triton model repository from its own contract',
  { timeout: 120_000 },
  async () => {
    const out = path.join(root, 'digits.onnx');
    const repo = path.join(root, 'repo');
    const r = await runCli('export', 'models/lenet5', '--out', out, '--verify-samples', '500', '--triton', repo);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(readdirSync(path.join(repo, 'digits')).sort(), ['1', 'config.pbtxt', 'labels.txt']);
    assert.ok(
      Buffer.from(readFileSync(path.join(repo, 'digits', '1', 'model.onnx'))).equals(readFileSync(out)),
      'the repository holds the very file written',
    );
    const contract = contractFromMetadata(readOnnxInfo(new Uint8Array(readFileSync(out))).metadata);
    const config = readFileSync(path.join(repo, 'digits', 'config.pbtxt'), 'utf8');
    assert.equal(config, tritonConfig('digits', contract));
    assert.match(config, /^name: "digits"\nplatform: "onnxruntime_onnx"\nmax_batch_size: 64\n/);
    assert.match(config, /name: "image"\n {4}data_type: TYPE_FP32\n {4}dims: \[ 1, 28, 28 \]/);
    assert.match(config, /name: "probabilities"\n {4}data_type: TYPE_FP32\n {4}dims: \[ 10 \]/);
    assert.match(config, /dynamic_batching \{\n {2}max_queue_delay_microseconds: 1000\n\}/);
    assert.equal(readFileSync(path.join(repo, 'digits', 'labels.txt'), 'utf8'), contract.labels.join('\n') + '\n');
  },
);

test('export --triton naming a file is refused before any work, and nothing is written', async () => {
  const notDir = path.join(root, 'a-file');
  writeFileSync(notDir, 'x');
  const out = path.join(root, 'never.onnx');
  const r = await runCli('export', 'models/lenet5', '--out', out, '--triton', notDir);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /^lenet-onnx: error: --triton '.*a-file' exists and is not a folder/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(out));
});

test('Triton model names: separators, dots-only and odd characters are refused, plain names pass', async () => {
  const { tritonNameProblem } = await import('../../src/export/triton.js');
  for (const bad of ['..', '.', '...', '', '.hidden', 'a/b', 'a\\b', 'a b', 'naïve', 'x'.repeat(201), 'a\nb'])
    assert.ok(tritonNameProblem(bad), `'${bad}' must be refused`);
  for (const good of ['lenet5', 'lenet5.int8', 'LeNet-5_e20', '7'])
    assert.equal(tritonNameProblem(good), undefined, `'${good}' must pass`);
});

/** Every file under `dir`, as relative paths. */
function tree(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).sort();
}

test('export --triton never writes outside its repository: a dots-only model name is refused before any work', async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'lenet-triton-dots-'));
  const repo = path.join(base, 'repo');
  mkdirSync(repo);
  for (const file of ['...onnx', '..onnx']) {
    const r = await runCli('export', 'models/lenet5', '--no-verify', '--out', path.join(base, file), '--triton', repo);
    assert.equal(r.code, 2, `${file}: ${r.stderr}`);
    assert.match(r.stderr, /^lenet-onnx: error: --triton: the model name '\.{1,2}' \(from --out '.*'\) /, file);
    assert.equal(r.stderr.trim().split('\n').length, 1, file);
  }
  assert.deepEqual(tree(base), ['repo'], 'nothing written anywhere');
});

test('export --triton: a file where the model folder goes, a folder holding another model, a planted link: one line each', async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'lenet-triton-taken-'));
  const repo = path.join(base, 'repo');
  mkdirSync(repo);
  // a file where the folder should go
  writeFileSync(path.join(repo, 'taken'), 'x');
  let r = await runCli(
    'export',
    'models/lenet5',
    '--no-verify',
    '--out',
    path.join(base, 'taken.onnx'),
    '--triton',
    repo,
  );
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^lenet-onnx: error: --triton: '.*taken' exists and is not a folder/);
  assert.equal(r.stderr.trim().split('\n').length, 1);
  assert.ok(!existsSync(path.join(base, 'taken.onnx')), 'refused before any work');
  // a folder already holding another model's config (a name that mapped onto it, or another tool's)
  mkdirSync(path.join(repo, 'shared', '1'), { recursive: true });
  writeFileSync(path.join(repo, 'shared', 'config.pbtxt'), 'name: "Shared"\n');
  r = await runCli('export', 'models/lenet5', '--no-verify', '--out', path.join(base, 'shared.onnx'), '--triton', repo);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^lenet-onnx: error: --triton: '.*shared' holds the Triton model 'Shared', not 'shared'/);
  assert.equal(readFileSync(path.join(repo, 'shared', 'config.pbtxt'), 'utf8'), 'name: "Shared"\n');
  // a link planted where one of the repository's files goes
  const victim = path.join(base, 'victim.txt');
  writeFileSync(victim, 'keep me');
  mkdirSync(path.join(repo, 'linked', '1'), { recursive: true });
  symlinkSync(victim, path.join(repo, 'linked', 'labels.txt'));
  r = await runCli('export', 'models/lenet5', '--no-verify', '--out', path.join(base, 'linked.onnx'), '--triton', repo);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /^lenet-onnx: error: --triton: '.*labels\.txt' is a symbolic link/);
  assert.equal(readFileSync(victim, 'utf8'), 'keep me');
});

test('export --triton writes again over its own earlier export of the same name', async () => {
  const base = mkdtempSync(path.join(tmpdir(), 'lenet-triton-again-'));
  const repo = path.join(base, 'repo');
  for (let i = 0; i < 2; i++) {
    const r = await runCli(
      'export',
      'models/lenet5',
      '--no-verify',
      '--out',
      path.join(base, 'again.onnx'),
      '--triton',
      repo,
    );
    assert.equal(r.code, 0, r.stderr);
  }
  assert.deepEqual(tree(repo), ['again', 'again/1', 'again/1/model.onnx', 'again/config.pbtxt', 'again/labels.txt']);
});
