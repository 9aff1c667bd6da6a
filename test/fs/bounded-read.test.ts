import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { test } from 'node:test';
import { readFileCapped, readWalkedFileCapped } from '../../src/fs/bounded-read.js';
import { tempDir } from '../runtime/helpers/files.js';

/** What a reader gives for a path: the bytes as hex, or the error's class and message. */
function outcome(read: () => Buffer): string {
  try {
    return `bytes ${read().toString('hex')}`;
  } catch (err) {
    return `${(err as Error).name}: ${(err as Error).message}`;
  }
}

test('the walked reader gives what the stat-first reader gives, for every kind of path', async () => {
  const dir = tempDir('bounded-read');
  const paths: Record<string, string> = {
    regular: path.join(dir, 'a.png'),
    empty: path.join(dir, 'empty.png'),
    atCap: path.join(dir, 'cap.png'),
    overCap: path.join(dir, 'over.png'),
    missing: path.join(dir, 'missing.png'),
    directory: path.join(dir, 'sub'),
    fifo: path.join(dir, 'pipe.png'),
    link: path.join(dir, 'link.png'),
    dangling: path.join(dir, 'dangling.png'),
    underFile: path.join(dir, 'a.png', 'x.png'),
    device: '/dev/zero',
    socket: path.join(dir, 'sock.png'),
    unreadable: path.join(dir, 'locked.png'),
  };
  writeFileSync(paths.regular, Buffer.from([0x89, 0x50, 0x4e, 0x47, 1, 2, 3]));
  writeFileSync(paths.empty, '');
  writeFileSync(paths.atCap, Buffer.alloc(64, 7));
  writeFileSync(paths.overCap, Buffer.alloc(65, 7));
  mkdirSync(paths.directory);
  execFileSync('mkfifo', [paths.fifo]);
  symlinkSync('a.png', paths.link);
  symlinkSync('nowhere.png', paths.dangling);
  writeFileSync(paths.unreadable, 'x');
  chmodSync(paths.unreadable, 0o000);
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(paths.socket, resolve));
  try {
    for (const [kind, p] of Object.entries(paths)) {
      const expected = outcome(() => readFileCapped(p, 64));
      assert.equal(
        outcome(() => readWalkedFileCapped(p, 64)),
        expected,
        kind,
      );
    }
    assert.match(
      outcome(() => readWalkedFileCapped(paths.fifo, 64)),
      /is a FIFO/,
    );
    assert.match(
      outcome(() => readWalkedFileCapped(paths.socket, 64)),
      /is a socket/,
    );
    assert.match(
      outcome(() => readWalkedFileCapped(paths.overCap, 64)),
      /file is 65 bytes, over the 64 bytes limit/,
    );
    assert.equal(
      outcome(() => readWalkedFileCapped(paths.link, 64)),
      'bytes 89504e47010203',
    );
  } finally {
    server.close();
  }
});
