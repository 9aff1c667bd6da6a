import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { gzipSync } from 'node:zlib';
import { startServer, type RunningServer } from '../../src/serve/start.js';
import { resolveInside } from '../../src/serve/resolve.js';
import { testModel } from './helpers/model.js';

let dir: string;
let root: string;
let srv: RunningServer;

before(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lenet-serve-'));
  root = path.join(dir, 'site');
  mkdirSync(path.join(root, 'ort'), { recursive: true });
  writeFileSync(path.join(root, 'index.html'), '<!doctype html><p>hi</p>');
  writeFileSync(path.join(root, 'ort', 'a.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]));
  writeFileSync(path.join(root, 'ort', 'a.mjs'), 'export const a = 1;');
  writeFileSync(path.join(root, 'big.js'), 'x'.repeat(1000));
  writeFileSync(path.join(root, 'big.js.gz'), gzipSync('x'.repeat(1000)));
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the root');
  writeFileSync(path.join(dir, 'other.bin'), Buffer.from([8, 7]));
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
  srv = await startServer({ root, host: '127.0.0.1', port: 0, overrides: { '/lenet5.onnx': path.join(dir, 'other.bin') } });
});

after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw GET so the request path reaches the server exactly as written (fetch would normalise `..`). */
function get(rawPath: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const url = new URL(srv.url);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: url.hostname, port: url.port, path: rawPath, method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

test('serves files with the MIME types browsers insist on, and isolation headers', async () => {
  const page = await get('/');
  assert.equal(page.status, 200);
  assert.match(String(page.headers['content-type']), /^text\/html/);
  assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
  assert.equal(page.headers['cross-origin-embedder-policy'], 'require-corp');
  assert.equal(page.body.toString(), '<!doctype html><p>hi</p>');
  const wasm = await get('/ort/a.wasm');
  assert.equal(wasm.headers['content-type'], 'application/wasm');
  assert.deepEqual([...wasm.body], [0, 0x61, 0x73, 0x6d, 1, 0, 0, 0]);
  assert.match(String((await get('/ort/a.mjs')).headers['content-type']), /^text\/javascript/);
});

test('--model override serves that file at /lenet5.onnx as octet-stream', async () => {
  const r = await get('/lenet5.onnx');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  assert.deepEqual([...r.body], [8, 7]);
});

test('pre-compressed siblings are sent only to clients that accept gzip', async () => {
  const plain = await get('/big.js');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.length, 1000);
  const gz = await get('/big.js', { 'accept-encoding': 'br, gzip;q=0.8' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < 100);
  const refused = await get('/big.js', { 'accept-encoding': 'gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
});

test('404 for missing files; nothing outside the root, by dots, encoded dots or symlinks', async () => {
  assert.equal((await get('/nope.js')).status, 404);
  for (const p of ['/../secret.txt', '/ort/../../secret.txt', '/%2e%2e/secret.txt', '/ort/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/link.txt', '/%00']) {
    const r = await get(p);
    assert.equal(r.status, 404, `${p} -> ${r.status}`);
    assert.ok(!r.body.toString().includes('outside the root'), p);
  }
  assert.equal((await get('/%E0%A4%A')).status, 400);
});

test('only GET and HEAD', async () => {
  const head = await get('/ort/a.wasm', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '8');
  assert.equal(head.body.length, 0);
  const post = await get('/', {}, 'POST');
  assert.equal(post.status, 405);
  assert.equal(post.headers.allow, 'GET, HEAD');
});

test('a port in use is a one-line error naming it', async () => {
  const port = Number(new URL(srv.url).port);
  await assert.rejects(startServer({ root, host: '127.0.0.1', port }), (err: Error) => {
    assert.equal(err.name, 'UserError');
    assert.match(err.message, new RegExp(`^--port ${port}: address 127\\.0\\.0\\.1:${port} is already in use; .*--port 0`));
    return true;
  });
});

test('resolveInside keeps every decoded path under the root', () => {
  assert.deepEqual(resolveInside('/srv', '/a/../b.js'), { ok: true, file: path.resolve('/srv/b.js') });
  assert.deepEqual(resolveInside('/srv', '/%2e%2e/x'), { ok: true, file: path.resolve('/srv/x') });
  assert.deepEqual(resolveInside('/srv', '/%zz'), { ok: false, why: 'bad-encoding' });
});

test('lenet-onnx serve prints its URL, rejects a missing --model, and stops on SIGINT', async () => {
  const cli = path.resolve('src/cli.ts');
  const run = (args: string[]) => spawn(process.execPath, ['--import', 'tsx', '-e', `import(${JSON.stringify(cli)}).then((m) => m.main(['node', 'lenet-onnx', ...${JSON.stringify(args)}]))`], { stdio: ['ignore', 'pipe', 'pipe'] });

  const bad = run(['serve', '--port', '0', '--model', path.join(dir, 'missing.onnx')]);
  let badErr = '';
  bad.stderr.on('data', (c) => { badErr += c; });
  const badCode = await new Promise((r) => bad.on('close', r));
  assert.notEqual(badCode, 0);
  assert.match(badErr, /^lenet-onnx: error: (--model '.*missing\.onnx': no such file|built demo page .*npm run build:web)/m);

  const badPort = run(['serve', '--port', '70000']);
  let portErr = '';
  badPort.stderr.on('data', (c) => { portErr += c; });
  assert.equal(await new Promise((r) => badPort.on('close', r)), 2);
  assert.match(portErr, /--port: expected an integer from 0 to 65535, got 70000/);

  const notOnnx = run(['serve', '--port', '0', '--model', path.resolve('package.json')]);
  let notOnnxErr = '';
  notOnnx.stderr.on('data', (c) => { notOnnxErr += c; });
  assert.equal(await new Promise((r) => notOnnx.on('close', r)), 1);
  assert.match(notOnnxErr, /^lenet-onnx: error: --model '.*package\.json': the data \(\d+ bytes\) is not an ONNX model: .*; pass a model written by `lenet-onnx export`$/m);

  // Needs the built demo page (npm test builds it first; alone: npm run build:web).
  const good = run(['serve', '--port', '0', '--model', testModel().file]);
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    good.stdout.on('data', (c) => {
      out += c;
      const m = /at (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out);
      if (m) resolve(m[1]);
    });
    good.on('close', () => reject(new Error(`serve exited early: ${out}`)));
  });
  const page = await fetch(url);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /<lenet-digit-pad/);
  good.kill('SIGINT');
  assert.equal(await new Promise((r) => good.on('close', r)), 0);
  assert.match(out, /stopped/);
});
