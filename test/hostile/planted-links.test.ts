// Symbolic links planted in every folder the CLI writes many files into (a model folder, --debug-dir, a Triton
// repository): a link is replaced or refused, never written through; its target keeps its bytes.
import assert from 'node:assert/strict';
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { debugFileName } from '../../src/jobs/read-debug.js';
import { runCli } from '../helpers/cli.js';
import { tinyTrainArgs } from '../helpers/tiny-train.js';
import { pngBytes, put } from '../runtime/helpers/files.js';

const root = mkdtempSync(path.join(tmpdir(), 'lenet-planted-'));
let victims = 0;

/** A file outside the folder under attack, and a link to it planted at `at`. */
function plant(at: string): string {
  const victim = path.join(root, `victim-${victims++}.txt`);
  writeFileSync(victim, 'precious');
  symlinkSync(victim, at);
  return victim;
}

function untouched(victim: string, what: string): void {
  assert.equal(readFileSync(victim, 'utf8'), 'precious', `${what}: the link's target was written through`);
}

test('train --out: links at model.json, history.json, curves.svg and card.md are replaced by the files', async () => {
  const out = path.join(root, 'model');
  mkdirSync(out);
  const planted = ['model.json', 'history.json', 'curves.svg', 'card.md'].map((f) => [f, plant(path.join(out, f))]);
  const r = await runCli(...tinyTrainArgs(out));
  assert.equal(r.code, 0, r.stderr);
  for (const [f, victim] of planted) {
    untouched(victim, f);
    assert.ok(lstatSync(path.join(out, f)).isFile(), `${f} is now a file of the model`);
  }
});

test('read --debug-dir: a link at every debug file name is replaced, never followed', async () => {
  const mnist = await readMnist('test');
  const pics = path.join(root, 'pics');
  mkdirSync(pics);
  const names = ['a.png', 'b.png', 'c.png'];
  names.forEach((n, i) =>
    put(pics, n, pngBytes({ width: 28, height: 28, data: mnist.images.slice(784 * i, 784 * (i + 1)) })),
  );
  const debug = path.join(root, 'debug');
  mkdirSync(debug);
  const planted = names.map((n, i) => plant(path.join(debug, debugFileName(i, n))));
  const r = await runCli('read', pics, '--debug-dir', debug);
  assert.equal(r.code, 0, r.stderr);
  planted.forEach((v, i) => untouched(v, `debug file ${i}`));
});

test('export --triton: a link at the model folder, its version folder or any of its files is refused', async () => {
  // [what, folders to make first, where the link goes], relative to the repository
  const cases: Array<[string, string, string]> = [
    ['model folder', '', 'linked'],
    ['version folder', 'linked', 'linked/1'],
    ['model.onnx', 'linked/1', 'linked/1/model.onnx'],
    ['labels.txt', 'linked/1', 'linked/labels.txt'],
    ['config.pbtxt', 'linked/1', 'linked/config.pbtxt'],
  ];
  for (const [what, folders, link] of cases) {
    const repo = mkdtempSync(path.join(root, 'repo-'));
    if (folders) mkdirSync(path.join(repo, folders), { recursive: true });
    const victim = plant(path.join(repo, link));
    const r = await runCli(
      'export',
      'models/lenet5',
      '--no-verify',
      '--out',
      path.join(root, 'linked.onnx'),
      '--triton',
      repo,
    );
    assert.equal(r.code, 2, `${what}: ${r.stderr}`);
    assert.match(r.stderr, /is a symbolic link/, what);
    untouched(victim, what);
  }
});
