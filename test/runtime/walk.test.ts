import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { walkPictures, type WalkEntry } from '../../src/runtime/node/walk.js';
import { put, tempDir } from './helpers/files.js';

async function all(args: string[]): Promise<WalkEntry[]> {
  const out: WalkEntry[] = [];
  for await (const e of walkPictures(args)) out.push(e);
  return out;
}

test('stable sorted order, recursion, extensions only inside folders', async () => {
  const dir = tempDir('walk');
  for (const n of ['b.png', 'a.JPG', 'c.txt', 'B.bmp', 'd.tiff']) put(dir, n, 'x');
  mkdirSync(path.join(dir, 'a-sub'));
  put(path.join(dir, 'a-sub'), 'z.gif', 'x');
  const named = put(dir, 'notes.txt', 'x');
  const rows = await all([dir, named]);
  assert.deepEqual(
    rows.map((r) => path.relative(dir, r.path)),
    ['B.bmp', 'a-sub/z.gif', 'a.JPG', 'b.png', 'd.tiff', 'notes.txt'],
  );
  assert.ok(rows.every((r) => !r.error));
});

test('symlink loops and dangling links become error rows; the walk goes on', async () => {
  const dir = tempDir('loop');
  mkdirSync(path.join(dir, 'sub'));
  put(path.join(dir, 'sub'), 'one.png', 'x');
  symlinkSync('..', path.join(dir, 'sub', 'up'));
  symlinkSync('self.png', path.join(dir, 'self.png'));
  symlinkSync('nowhere.png', path.join(dir, 'dangling.png'));
  put(dir, 'z.png', 'x');
  const rows = await all([dir]);
  const byName = Object.fromEntries(rows.map((r) => [path.relative(dir, r.path), r.error ?? 'ok']));
  assert.deepEqual(Object.keys(byName), ['dangling.png', 'self.png', 'sub/one.png', 'sub/up', 'z.png']);
  assert.match(byName['sub/up'], /symlink loop/);
  assert.match(byName['self.png'], /symlink loop/);
  assert.match(byName['dangling.png'], /no such file/);
  assert.equal(byName['z.png'], 'ok');
});

test('missing arguments and empty folders', async () => {
  const dir = tempDir('empty');
  assert.deepEqual(await all([dir]), []);
  const rows = await all([path.join(dir, 'missing.png')]);
  assert.equal(rows.length, 1);
  assert.match(rows[0].error!, /no such file/);
});

test('an unreadable folder is an error row', async () => {
  const dir = tempDir('perm');
  const locked = path.join(dir, 'locked');
  mkdirSync(locked);
  put(locked, 'x.png', 'x');
  chmodSync(locked, 0);
  try {
    let rows: WalkEntry[];
    if (process.getuid?.() === 0) {
      // Root reads through any permission, so walk as an unprivileged user in a child process.
      chmodSync(dir, 0o755);
      const walker = new URL('../../src/runtime/node/walk.ts', import.meta.url).pathname;
      const script = `const { walkPictures } = await import(${JSON.stringify(walker)});
        const out = []; for await (const e of walkPictures([${JSON.stringify(dir)}])) out.push(e);
        process.stdout.write(JSON.stringify(out));`;
      const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        uid: 65534,
        gid: 65534,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      rows = JSON.parse(r.stdout);
    } else {
      rows = await all([dir]);
    }
    assert.equal(rows.length, 1);
    assert.match(rows[0].error!, /cannot list the directory: permission denied/);
  } finally {
    chmodSync(locked, 0o755);
  }
});

test('a FIFO or a device among the pictures is an error row, not a silent skip', async () => {
  const dir = tempDir('fifo');
  put(dir, 'a.png', 'x');
  spawnSync('mkfifo', [path.join(dir, 'b.png')]);
  symlinkSync('/dev/zero', path.join(dir, 'c.png'));
  spawnSync('mkfifo', [path.join(dir, 'not-a-picture')]);
  const rows = await all([dir, '/dev/zero']);
  assert.deepEqual(
    rows.map((r) => path.basename(r.path)),
    ['a.png', 'b.png', 'c.png', 'zero'],
  );
  assert.equal(rows[0].error, undefined);
  assert.match(rows[1].error!, /is a FIFO \(named pipe\), not a regular file: refused/);
  assert.match(rows[2].error!, /is a character device, not a regular file: refused/);
  assert.match(rows[3].error!, /is a character device/);
});
