// `read --debug-dir`: the folder's files are created by lenet-onnx without following links planted there, long
// picture names get short debug names, and a debug file that cannot be written is reported without stopping the run.
import assert from 'node:assert/strict';
import { chownSync, lstatSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { debugFileName } from '../../src/jobs/read-debug.js';
import { runCli } from '../helpers/cli.js';
import { pngBytes, put, tempDir, testOnnxPath } from '../runtime/helpers/files.js';

const MODEL = testOnnxPath();
const mnist = await readMnist('test');
const digit = pngBytes({ width: 28, height: 28, data: mnist.images.slice(0, 784) });

test('a link planted in the debug folder is replaced, never followed: its target keeps its bytes', async () => {
  const pics = tempDir('debug-pics');
  put(pics, 'a.png', digit);
  const debug = tempDir('debug-out');
  const victim = path.join(tempDir('debug-victim'), 'precious.txt');
  writeFileSync(victim, 'do not overwrite');
  symlinkSync(victim, path.join(debug, debugFileName(0, 'a.png')));
  const r = await runCli('read', pics, '--model', MODEL, '--debug-dir', debug);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(readFileSync(victim, 'utf8'), 'do not overwrite');
  const written = path.join(debug, debugFileName(0, 'a.png'));
  assert.ok(lstatSync(written).isFile(), 'the debug picture took the link’s place');
  assert.equal(readFileSync(written).subarray(1, 4).toString(), 'PNG');
});

test('a 250-character picture name gets a short debug name, and the folder is read to the end', async () => {
  const pics = tempDir('debug-long');
  const long = 'n'.repeat(246) + '.png';
  for (const name of ['a.png', long, 'z.png']) put(pics, name, digit);
  const debug = tempDir('debug-long-out');
  const r = await runCli('read', pics, '--model', MODEL, '--debug-dir', debug);
  assert.equal(r.code, 0, r.stderr);
  const files = readdirSync(debug);
  assert.equal(files.length, 3, files.join(', '));
  for (const f of files) assert.ok(Buffer.byteLength(f) <= 255 && f.endsWith('.png'), f);
  assert.notEqual(debugFileName(1, long), debugFileName(1, 'n'.repeat(247) + '.png'), 'shortened names stay distinct');
});

test('a debug file that cannot be written is reported in one line, the other pictures still get theirs', async () => {
  const pics = tempDir('debug-bad');
  for (const name of ['a.png', 'b.png', 'c.png']) put(pics, name, digit);
  const debug = tempDir('debug-bad-out');
  mkdirSync(path.join(debug, debugFileName(1, 'b.png'))); // a folder where b's debug file goes
  const r = await runCli('read', pics, '--model', MODEL, '--format', 'json', '--debug-dir', debug);
  assert.equal(r.code, 1, r.stderr);
  assert.equal(JSON.parse(r.stdout).length, 3, 'every row written');
  assert.match(r.stderr, /--debug-dir: cannot write '.*00001-b\.png\.png' for '.*b\.png': /);
  assert.match(r.stderr, /1 debug picture could not be written/);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  const files = readdirSync(debug).sort();
  assert.deepEqual(files, [debugFileName(0, 'a.png'), debugFileName(1, 'b.png'), debugFileName(2, 'c.png')]);
  assert.ok(lstatSync(path.join(debug, debugFileName(2, 'c.png'))).isFile());
});

test(
  'a debug folder owned by another user is refused before any work',
  { skip: process.getuid?.() !== 0 && 'needs root to give a folder away' },
  async () => {
    const pics = tempDir('debug-owner');
    put(pics, 'a.png', digit);
    const debug = tempDir('debug-owner-out');
    chownSync(debug, 65534, 65534);
    const r = await runCli('read', pics, '--model', MODEL, '--debug-dir', debug);
    assert.equal(r.code, 2, r.stderr);
    assert.match(r.stderr, /^lenet-onnx: error: --debug-dir '.*' belongs to another user \(uid 65534\)/);
    assert.deepEqual(readdirSync(debug), []);
  },
);
