import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
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
