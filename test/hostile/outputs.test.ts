// Hostile output paths for the built CLI: a symlink stays a link, a FIFO and a device node are written through
// and survive, a directory is refused before any work, stale temp files of ours are cleared, and a closed stdout
// ends the run quietly. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { lstatSync, mkdirSync, readFileSync, readlinkSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { pngBytes } from '../runtime/helpers/files.js';
import { assertBounded, assertRefused, assertUntouched, caseDir, runCli, snapshot } from './helpers.js';

const mnist = await readMnist('test');
const digit = (k: number) => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });

/** A folder holding `n` MNIST test digits as PNG files. */
function pictures(n: number): string {
  const dir = caseDir('pics');
  for (let k = 0; k < n; k++) writeFileSync(path.join(dir, `${String(k).padStart(5, '0')}.png`), pngBytes(digit(k)));
  return dir;
}

const pics = pictures(3);

test('predict --out through a symlink: the file it points at is replaced, the link stays a link', async () => {
  const dir = caseDir('symlink');
  mkdirSync(path.join(dir, 'real'));
  const real = path.join(dir, 'real', 'rows.csv');
  writeFileSync(real, 'old\n');
  const link = path.join(dir, 'link.csv');
  symlinkSync(path.join('real', 'rows.csv'), link);
  const before = snapshot(dir);
  const r = await runCli(['predict', pics, '--format', 'csv', '--out', link]);
  assertBounded(r, 'symlink');
  assert.equal(r.code, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink());
  assert.equal(readlinkSync(link), path.join('real', 'rows.csv'));
  assert.match(readFileSync(real, 'utf8'), /^path,digit,probability/);
  assertUntouched(dir, before, ['real/rows.csv', 'real']);
});

test('predict --out FIFO is written through, and the FIFO is still a FIFO', async () => {
  const dir = caseDir('fifo-out');
  const fifo = path.join(dir, 'rows.fifo');
  execFileSync('mkfifo', [fifo]);
  const reader = spawn('cat', [fifo]);
  let got = '';
  reader.stdout.on('data', (d: Buffer) => {
    got += d;
  });
  const closed = new Promise((resolve) => reader.on('close', resolve));
  const before = snapshot(dir);
  const r = await runCli(['predict', pics, '--format', 'csv', '--out', fifo]);
  await closed;
  assertBounded(r, 'FIFO');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(got.split('\n').filter(Boolean).length, 4, got);
  assert.ok(lstatSync(fifo).isFIFO());
  assertUntouched(dir, before, ['rows.fifo']); // writing through a FIFO updates its times, nothing else
});

test('predict --out on a character device node (a /dev/null of our own) leaves the device in place', async (t) => {
  const dir = caseDir('device');
  const dev = path.join(dir, 'null');
  if (spawnSync('mknod', [dev, 'c', '1', '3']).status !== 0) {
    t.skip('mknod needs root');
    return;
  }
  const before = snapshot(dir);
  const r = await runCli(['predict', pics, '--format', 'csv', '--out', dev]);
  assertBounded(r, 'device');
  assert.equal(r.code, 0, r.stderr);
  const st = lstatSync(dev);
  assert.ok(st.isCharacterDevice(), 'still a character device');
  assert.equal(st.rdev, lstatSync('/dev/null').rdev);
  assertUntouched(dir, before, ['null']);
});

test('a directory as --out, --svg or --json is refused in one line before any work', async () => {
  const dir = caseDir('dir-out');
  const before = snapshot(dir);
  // a model that does not exist: the output must be refused before the model is even looked at
  const missing = path.join(dir, 'no-such-model.onnx');
  const cases: Array<[string[], RegExp]> = [
    [['predict', pics, '--model', missing, '--out', dir], /--out '.*dir-out.*' is a directory/],
    [['evaluate', '--model', missing, '--svg', dir], /--svg '.*dir-out.*' is a directory/],
    [
      ['evaluate', '--model', missing, '--svg', path.join(dir, 'c.svg'), '--json', dir],
      /--json '.*dir-out.*' is a directory/,
    ],
    [['export', path.join(dir, 'no-such-model'), '--out', dir], /--out '.*dir-out.*' is a directory/],
  ];
  for (const [args, re] of cases) {
    const r = await runCli(args);
    assertRefused(r, args.join(' '), 1, re);
    assert.ok(r.ms < 5000, `${args[0]}: ${Math.round(r.ms)} ms`);
  }
  assertUntouched(dir, before);
});

test('writing --out clears temp files of ours left by a killed run, and only those', async () => {
  const dir = caseDir('stale');
  const old = Date.now() / 1000 - 2 * 3600;
  const stale = path.join(dir, '.lenet-onnx-999999-abc-rows.csv.tmp');
  const fresh = path.join(dir, '.lenet-onnx-999998-def-rows.csv.tmp');
  const theirs = path.join(dir, '.rows.csv.12345.tmp');
  for (const f of [stale, fresh, theirs]) writeFileSync(f, 'x');
  for (const f of [stale, theirs]) utimesSync(f, old, old);
  const r = await runCli(['predict', pics, '--format', 'csv', '--out', path.join(dir, 'rows.csv')]);
  assertBounded(r, 'stale temps');
  assert.equal(r.code, 0, r.stderr);
  const names = execFileSync('ls', ['-A', dir], { encoding: 'utf8' }).trim().split('\n').sort();
  assert.deepEqual(names, ['.lenet-onnx-999998-def-rows.csv.tmp', '.rows.csv.12345.tmp', 'rows.csv']);
});

test('predict ... | head -2 ends quietly with exit code 0', async () => {
  const many = pictures(3000);
  const r = await runCli([], { shell: `$CLI predict '${many}' --workers 1 | head -2; exit \${PIPESTATUS[0]}` });
  assertBounded(r, 'EPIPE');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.split('\n').filter(Boolean).length, 2);
  assert.equal(r.stderr, '');
});
