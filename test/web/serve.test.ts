import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import http from 'node:http';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import { buildServer } from '../../src/server/app.js';
import { listen, type RunningServer } from '../../src/server/listen.js';
import { testModel } from './helpers/model.js';

/** The widget's files only: no models, generous limits. */
async function startSite(root: string, port: number, overrides: Record<string, string> = {}): Promise<RunningServer> {
  const built = await buildServer({
    models: new Map(),
    defaultModel: 'lenet5',
    site: { root, overrides },
    bodyLimitBytes: 1 << 20,
    requestTimeoutMs: 5000,
    maxInFlight: 64,
    headersTimeoutMs: 5000,
    bodyTimeoutMs: 5000,
    keepAliveTimeoutMs: 1000,
    corsOrigins: [],
    topK: 3,
  });
  return listen(built, '127.0.0.1', port, 1000);
}

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
  writeFileSync(path.join(root, 'big.js.br'), brotliCompressSync('x'.repeat(1000)));
  writeFileSync(path.join(dir, 'secret.txt'), 'outside the root');
  writeFileSync(path.join(dir, 'other.bin'), Buffer.from([8, 7]));
  symlinkSync(path.join(dir, 'secret.txt'), path.join(root, 'link.txt'));
  srv = await startSite(root, 0, { '/lenet5.onnx': path.join(dir, 'other.bin') });
});

after(async () => {
  await srv?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Raw GET so the request path reaches the server exactly as written (fetch would normalise `..`). */
function get(
  rawPath: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
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
  // module scripts need a JavaScript type; either registered name will do
  assert.match(String((await get('/ort/a.mjs')).headers['content-type']), /^(text|application)\/javascript/);
});

test('--model override serves that file at /lenet5.onnx as octet-stream', async () => {
  const r = await get('/lenet5.onnx');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'application/octet-stream');
  assert.deepEqual([...r.body], [8, 7]);
});

test('pre-compressed siblings are sent only to clients that accept them, brotli first', async () => {
  const plain = await get('/big.js');
  assert.equal(plain.headers['content-encoding'], undefined);
  assert.equal(plain.body.length, 1000);
  const br = await get('/big.js', { 'accept-encoding': 'br, gzip;q=0.8' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.ok(br.body.length < 100);
  const gz = await get('/big.js', { 'accept-encoding': 'gzip' });
  assert.equal(gz.headers['content-encoding'], 'gzip');
  assert.ok(gz.body.length < 100);
  assert.match(String(gz.headers.vary), /accept-encoding/i);
  const refused = await get('/big.js', { 'accept-encoding': 'gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
});

test('404 for missing files; nothing outside the root, by dots, encoded dots or symlinks', async () => {
  assert.equal((await get('/nope.js')).status, 404);
  for (const p of [
    '/../secret.txt',
    '/ort/../../secret.txt',
    '/%2e%2e/secret.txt',
    '/ort/%2e%2e%2f%2e%2e%2fsecret.txt',
    '/..%5csecret.txt',
    '/link.txt',
    '/%00',
    '/%E0%A4%A',
  ]) {
    const r = await get(p);
    // refused as missing (404), forbidden (403) or malformed (400): never served
    assert.ok([400, 403, 404].includes(r.status), `${p} -> ${r.status}`);
    assert.ok(!r.body.toString().includes('outside the root'), p);
  }
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
  await assert.rejects(startSite(root, port), (err: Error) => {
    assert.equal(err.name, 'UserError');
    assert.match(
      err.message,
      new RegExp(`^--port ${port}: address 127\\.0\\.0\\.1:${port} is already in use; .*--port 0`),
    );
    return true;
  });
});

test('lenet-onnx serve prints its URL, rejects a missing --model, serves page and API, and stops on SIGINT', async () => {
  const cli = path.resolve('src/cli.ts');
  const run = (args: string[]) =>
    spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '-e',
        `import(${JSON.stringify(cli)}).then((m) => m.main(['node', 'lenet-onnx', ...${JSON.stringify(args)}]))`,
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );

  const bad = run(['serve', '--port', '0', '--model', path.join(dir, 'missing.onnx')]);
  let badErr = '';
  bad.stderr.on('data', (c) => {
    badErr += c;
  });
  const badCode = await new Promise((r) => bad.on('close', r));
  assert.notEqual(badCode, 0);
  assert.match(
    badErr,
    /^lenet-onnx: error: (--model '.*missing\.onnx': no such file|built demo page .*npm run build:web)/m,
  );

  const badPort = run(['serve', '--port', '70000']);
  let portErr = '';
  badPort.stderr.on('data', (c) => {
    portErr += c;
  });
  assert.equal(await new Promise((r) => badPort.on('close', r)), 2);
  assert.match(portErr, /--port: expected an integer from 0 to 65535, got 70000/);

  const notOnnx = run(['serve', '--port', '0', '--model', path.resolve('package.json')]);
  let notOnnxErr = '';
  notOnnx.stderr.on('data', (c) => {
    notOnnxErr += c;
  });
  assert.equal(await new Promise((r) => notOnnx.on('close', r)), 1);
  assert.match(
    notOnnxErr,
    /^lenet-onnx: error: model '.*package\.json': the data \(\d+ bytes\) is not an ONNX model: .*; give an \.onnx file written by 'lenet-onnx export'$/m,
  );

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
  const meta = await fetch(url + 'v2/models/' + path.parse(testModel().file).name);
  assert.equal(meta.status, 200);
  good.kill('SIGINT');
  assert.equal(await new Promise((r) => good.on('close', r)), 0);
  assert.match(out, /stopped/);
});
