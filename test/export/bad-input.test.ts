import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { saveModelDir } from '../../src/train/models/model-io.js';
import { runCli, type CliRun } from '../helpers/cli.js';
import { lenetFixture } from './helpers/lenet-fixture.js';

const root = mkdtempSync(path.join(tmpdir(), 'lenet-export-bad-'));
let good: string;

/** A copy of the trained fixture that a test may damage. */
function copyModel(name: string): string {
  const dir = path.join(root, name);
  cpSync(good, dir, { recursive: true });
  return dir;
}

function weightsFile(dir: string): string {
  const manifest = JSON.parse(readFileSync(path.join(dir, 'model.json'), 'utf8')).weightsManifest;
  return path.join(dir, manifest[0].paths[0]);
}

/** One clear line on stderr, the expected exit code, and (for export) nothing written in `outDir`. */
function assertRefused(r: CliRun, code: number, pattern: RegExp, outDir?: string): void {
  assert.equal(r.code, code, `exit code; stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected, got:\n${r.stderr}`);
  assert.match(lines[0], /^lenet-onnx: error: /);
  assert.match(lines[0], pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  if (outDir) assert.deepEqual(readdirSync(outDir), [], 'nothing written, not even a temp file');
}

function outDir(name: string): string {
  const d = path.join(root, `out-${name}`);
  mkdirSync(d);
  return d;
}

before(async () => {
  good = await lenetFixture();
});

test('missing model.json', async () => {
  const out = outDir('missing');
  assertRefused(
    await runCli('export', path.join(root, 'nowhere'), '--out', path.join(out, 'm.onnx')),
    1,
    /model '.*nowhere\/model.json' not found/,
    out,
  );
});

test('corrupt model.json', async () => {
  const dir = copyModel('corrupt-json');
  writeFileSync(path.join(dir, 'model.json'), '{"modelTopology": {"class_name": ');
  const out = outDir('corrupt');
  assertRefused(await runCli('export', dir, '--out', path.join(out, 'm.onnx')), 1, /is not valid JSON/, out);
});

test('weights file missing', async () => {
  const dir = copyModel('no-weights');
  const w = weightsFile(dir);
  writeFileSync(w, ''); // replaced below by removal, keeping the name in the message
  await import('node:fs/promises').then((fs) => fs.rm(w));
  const out = outDir('no-weights');
  assertRefused(
    await runCli('export', dir, '--out', path.join(out, 'm.onnx')),
    1,
    /weights file '.*' named in '.*' is missing/,
    out,
  );
});

test('weights file shorter than the manifest says', async () => {
  const dir = copyModel('short-weights');
  const w = weightsFile(dir);
  writeFileSync(w, readFileSync(w).subarray(0, 1000));
  const out = outDir('short');
  assertRefused(
    await runCli('export', dir, '--out', path.join(out, 'm.onnx')),
    1,
    /expected 246824 bytes from the manifest, found 1000/,
    out,
  );
});

test('NaN and infinite weights are refused, naming the tensor', async () => {
  for (const [name, value] of [
    ['nan', NaN],
    ['inf', -Infinity],
  ] as const) {
    const dir = copyModel(`weights-${name}`);
    const w = weightsFile(dir);
    const bytes = readFileSync(w);
    // The first tensor of the manifest is c1's kernel; poison its 4th value.
    new DataView(bytes.buffer, bytes.byteOffset).setFloat32(12, value, true);
    writeFileSync(w, bytes);
    const out = outDir(`weights-${name}`);
    assertRefused(
      await runCli('export', dir, '--out', path.join(out, 'm.onnx')),
      1,
      new RegExp(`weight 'c1/kernel' of layer 'c1' holds ${value} at index 3`),
      out,
    );
  }
});

test('an unsupported layer stops the export with its name, class and the supported list', async () => {
  await initBackend('cpu');
  const input = tf.input({ shape: [6, 2], name: 'series' });
  const seq = tf.layers.conv1d({ filters: 2, kernelSize: 2, name: 'seq' }).apply(input) as tf.SymbolicTensor;
  const flat = tf.layers.flatten().apply(seq) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: tf.layers.dense({ units: 2 }).apply(flat) as tf.SymbolicTensor });
  const dir = path.join(root, 'unsupported');
  await saveModelDir(model, dir);
  const out = outDir('unsupported');
  assertRefused(
    await runCli('export', dir, '--out', path.join(out, 'm.onnx'), '--no-verify'),
    1,
    /layer 'seq' \(Conv1D\) is not supported; replace it with a supported layer .*; supported layers: .*Conv2D.*Standardize/,
    out,
  );
});

test('--input-range and --input-layout are checked before anything is written', async () => {
  const out = outDir('input-options');
  for (const range of ['5,1', '1', 'a,b', '0,']) {
    assertRefused(
      await runCli('export', good, '--out', path.join(out, 'm.onnx'), '--input-range', range),
      2,
      /--input-range: expected two numbers lo,hi with lo < hi/,
      out,
    );
  }
  assertRefused(
    await runCli('export', good, '--out', path.join(out, 'm.onnx'), '--input-layout', 'nhwc', '--no-verify'),
    2,
    /--input-layout nhwc: model .* carries the digit contract, whose input is NCHW/,
    out,
  );
});

test('an unknown opset is refused with the valid range', async () => {
  const out = outDir('opset');
  for (const opset of ['12', '18', 'x']) {
    assertRefused(
      await runCli('export', good, '--out', path.join(out, 'm.onnx'), '--opset', opset),
      2,
      /--opset: expected an integer from 13 to 17/,
      out,
    );
  }
});

test('an output path that cannot be written', async () => {
  const blocker = path.join(root, 'a-file');
  writeFileSync(blocker, 'x');
  assertRefused(
    await runCli('export', good, '--out', path.join(blocker, 'm.onnx')),
    1,
    /cannot write output directory '.*a-file': a file is in the way/,
  );
  const asDir = outDir('is-dir');
  assertRefused(await runCli('export', good, '--out', asDir), 1, /--out '.*' is a directory/);
});

test('a failed parity check exits non-zero and leaves the previous file as it was', async () => {
  const out = outDir('parity');
  const file = path.join(out, 'm.onnx');
  writeFileSync(file, 'previous');
  // No float pipeline pair agrees to 1e-15 on every probability of 1,000 images.
  const r = await runCli('export', good, '--out', file, '--atol', '1e-15', '--verify-samples', '1000');
  assertRefused(r, 1, /parity check failed .*FAIL\); '.*m\.onnx' was not written/);
  assert.equal(readFileSync(file, 'utf8'), 'previous');
  assert.deepEqual(readdirSync(out), ['m.onnx']);
});

test('verify refuses files that are not ONNX, in one line', async () => {
  const png = path.join(root, 'digit.png');
  writeFileSync(
    png,
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]),
  );
  for (const file of [png, path.join(good, 'model.json')]) {
    assertRefused(await runCli('verify', file, '--against', good), 1, /is not an ONNX model: .*give an \.onnx file/);
  }
  assertRefused(
    await runCli('verify', path.join(root, 'none.onnx'), '--against', good),
    1,
    /ONNX file '.*none\.onnx' not found/,
  );
});

test('verify fails (non-zero, figures printed) for an ONNX file of another model', async () => {
  const other = copyModel('other');
  const w = weightsFile(other);
  const bytes = readFileSync(w);
  const f = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  for (let i = 0; i < f.length; i++) f[i] *= 0.5;
  writeFileSync(w, bytes);
  const file = path.join(root, 'other.onnx');
  const e = await runCli('export', other, '--out', file, '--verify-samples', '100');
  assert.equal(e.code, 0, e.stderr);
  const r = await runCli('verify', file, '--against', good, '--samples', '300');
  assert.match(r.stdout, /parity on 300 images: .*FAIL/);
  assertRefused(r, 1, /parity check failed: '.*other\.onnx' does not compute what/);
  assert.ok(existsSync(file));
});

test('inspect refuses what is neither ONNX nor a tfjs model, in one line', async () => {
  const text = path.join(root, 'notes.txt');
  writeFileSync(text, 'not a model at all\n');
  assertRefused(await runCli('inspect', text), 1, /'.*notes\.txt': the data \(19 bytes\) is not an ONNX model/);
  assertRefused(
    await runCli('inspect', path.join(root, 'absent.onnx')),
    1,
    /'.*absent\.onnx' not found; expected an \.onnx file, a model\.json or a model directory/,
  );
  const empty = path.join(root, 'empty-dir');
  mkdirSync(empty);
  assertRefused(await runCli('inspect', empty), 1, /directory '.*empty-dir' holds no model\.json/);
  const dir = copyModel('inspect-corrupt');
  writeFileSync(path.join(dir, 'model.json'), '[1, 2');
  assertRefused(await runCli('inspect', dir), 1, /is not valid JSON/);
});
