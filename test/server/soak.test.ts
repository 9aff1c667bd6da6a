// A bounded soak: aborted downloads of the big wasm file, slowloris connections and concurrent full downloads,
// after which open descriptors and memory must be back to where they started.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { serveForTest } from './helpers/server.js';

const BUILT = path.resolve('web/dist');
const BIG = 'ort/ort-wasm-simd-threaded.wasm';
let site: string;
let tmp: string | undefined;
let srv: ServeHandle;

before(async () => {
  if (existsSync(path.join(BUILT, BIG)) && existsSync(path.join(BUILT, 'index.html'))) {
    site = BUILT;
  } else {
    // no widget build: a stand-in of the same kind and size class
    tmp = mkdtempSync(path.join(tmpdir(), 'lenet-soak-'));
    site = tmp;
    writeFileSync(path.join(site, 'index.html'), '<!doctype html>');
    mkdirSync(path.join(site, 'ort'));
    writeFileSync(path.join(site, BIG), Buffer.alloc(8 * 1024 * 1024, 7));
  }
  srv = await serveForTest({ web: true, webRoot: site, headersTimeoutMs: 500, keepAliveTimeoutMs: 500 });
});

after(async () => {
  await srv?.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const fds = () => readdirSync('/proc/self/fd').length;
const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Start a download of the big file and hang up after its first chunk. */
function abortedDownload(u: URL, encoding: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get(
      { host: u.hostname, port: u.port, path: '/' + BIG, agent: false, headers: { 'accept-encoding': encoding } },
      (res) => {
        res.once('data', () => {
          req.destroy();
          resolve();
        });
        res.once('error', () => resolve());
      },
    );
    req.on('error', () => resolve());
  });
}

/** Download the big file whole and return its length. */
function fullDownload(u: URL): Promise<number> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: u.hostname, port: u.port, path: '/' + BIG, agent: false }, (res) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
        });
        res.on('end', () => resolve(n));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

/** A client that sends its headers a byte at a time and never finishes; resolves when the server hangs up. */
function slowloris(u: URL): Promise<number> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(Number(u.port), u.hostname, () => {
      s.write('GET / HTTP/1.1\r\nHost: x\r\n');
      const drip = setInterval(() => s.write('X-a: b\r\n'), 100);
      s.on('close', () => {
        clearInterval(drip);
        resolve(Date.now() - t0);
      });
    });
    s.on('error', () => undefined);
    s.resume();
  });
}

test(
  '1,000 aborted downloads, slowloris and concurrent downloads leave no descriptor and no memory behind',
  { timeout: 300_000 },
  async (t) => {
    const u = new URL(srv.url);
    // warm up: first requests open lazily created handles (the onnxruntime pool, fastify internals)
    await Promise.all([abortedDownload(u, 'identity'), fullDownload(u)]);
    await settle(600);
    global.gc?.();
    const fd0 = fds();
    const rss0 = process.memoryUsage().rss;

    const loris = Array.from({ length: 4 }, () => slowloris(u));
    const full = Array.from({ length: 4 }, () => fullDownload(u));
    const encodings = ['identity', 'gzip', 'br, gzip'];
    for (let i = 0; i < 1000; i += 20) {
      await Promise.all(Array.from({ length: 20 }, (_, k) => abortedDownload(u, encodings[(i + k) % 3])));
    }
    const lengths = await Promise.all(full);
    assert.ok(
      lengths.every((n) => n === lengths[0] && n > 1_000_000),
      `full downloads: ${lengths}`,
    );
    const cut = await Promise.all(loris);
    assert.ok(
      cut.every((ms) => ms < 5_000),
      `slowloris connections were cut after ${cut} ms`,
    );

    // let sockets close and streams be destroyed
    await settle(1000);
    global.gc?.();
    const fd1 = fds();
    const rss1 = process.memoryUsage().rss;
    t.diagnostic(
      `descriptors ${fd0} -> ${fd1}; RSS ${(rss0 / 2 ** 20).toFixed(0)} -> ${(rss1 / 2 ** 20).toFixed(0)} MiB; slowloris cut after ${cut.join(', ')} ms`,
    );
    assert.ok(fd1 <= fd0 + 2, `descriptors: ${fd0} before, ${fd1} after`);
    assert.ok(rss1 < rss0 * 1.5 + 64 * 1024 * 1024, `RSS: ${rss0} before, ${rss1} after`);
  },
);
