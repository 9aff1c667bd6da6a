// A model folder's files (weights, model.json, history.json, curves.svg, card.md) change as one set: a run that
// stops before the end, by a failure or a signal, leaves the old set as it was and no file of its own behind.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { tinyTrainArgs } from '../helpers/tiny-train.js';

/** Every file in `dir` with its bytes, for comparing a folder before and after. */
function snapshot(dir: string): Map<string, string> {
  return new Map(
    readdirSync(dir)
      .sort()
      .map((f) => {
        const p = path.join(dir, f);
        let content: string;
        try {
          content = readFileSync(p).toString('base64');
        } catch {
          content = '(not a file)';
        }
        return [f, content];
      }),
  );
}

test('a train run that cannot finish its set is refused before training: no orphan weights, no new reports', async () => {
  const out = path.join(mkdtempSync(path.join(tmpdir(), 'lenet-save-set-')), 'm');
  cpSync('models/lenet5', out, { recursive: true });
  // a folder where the new card.md would go: the last file of the set can never be written
  rmSync(path.join(out, 'card.md'));
  mkdirSync(path.join(out, 'card.md'));
  const before = snapshot(out);
  const r = await runCli(...tinyTrainArgs(out));
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /^lenet-onnx: error: .*card\.md' is a folder/);
  assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
  assert.doesNotMatch(r.stdout + r.stderr, /epoch 1/, 'refused before training');
  assert.deepEqual(snapshot(out), before, 'the old set as it was, nothing added');
});

test('a signal while the set is being written leaves the old set and no temp file; the process still ends by it', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-save-signal-'));
  for (const f of ['model.json', 'history.json']) writeFileSync(path.join(dir, f), `old ${f}`);
  const before = snapshot(dir);
  const script = `
    import { FileSet } from './src/fs/file-set.ts';
    const set = new FileSet(${JSON.stringify(dir)});
    await set.stage('weights.abc.bin', new Uint8Array(1000));
    process.kill(process.pid, 'SIGINT'); // Ctrl-C halfway through the set
    await set.stage('history.json', 'new history');
    await set.stage('model.json', 'new model');
    set.commit();
    console.log('still running');
  `;
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
  assert.equal(r.signal, 'SIGINT', `ends by the signal it got: ${r.stderr}`);
  assert.doesNotMatch(r.stdout, /still running/);
  assert.deepEqual(snapshot(dir), before);
});

test('without a signal the whole set is switched in', async () => {
  const { FileSet } = await import('../../src/fs/file-set.js');
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-save-commit-'));
  writeFileSync(path.join(dir, 'model.json'), 'old');
  const set = new FileSet(dir);
  await set.stage('weights.abc.bin', new Uint8Array(3));
  await set.stage('model.json', 'new');
  set.commit();
  assert.deepEqual(readdirSync(dir).sort(), ['model.json', 'weights.abc.bin']);
  assert.equal(readFileSync(path.join(dir, 'model.json'), 'utf8'), 'new');
  assert.equal(process.listenerCount('SIGINT'), 0, 'no signal handler left behind');
});
