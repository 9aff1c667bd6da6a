// Hostile and careless requests to `serve`: output lists that ask for unbounded answers, values FP32 cannot hold,
// bodies nested without end or not objects at all, repeated query parameters, precompressed siblings and folders
// linked out of the served folder, blank tokens, and pictures or JSON bodies heavy enough to stall the event loop.
// Each answered with one status and one message, health staying responsive. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { after, test } from 'node:test';
import * as zlib from 'node:zlib';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { inferBody, MODEL, postJson, rows, serveForTest } from '../server/helpers/server.js';
import { jpegClaiming, pngBytes } from '../runtime/helpers/files.js';
import { assertRefused, caseDir, ihdr, pngFromChunks, runCli } from './helpers.js';

const started: ServeHandle[] = [];
const children: ChildProcess[] = [];
async function serve(o: Parameters<typeof serveForTest>[0] = {}): Promise<string> {
  const h = await serveForTest(o);
  started.push(h);
  return h.url;
}
after(async () => {
  for (const h of started) await h.close();
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
});

const INFER = 'v2/models/lenet5/infer';
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

/** `lenet-onnx serve` (built, API only) in a process of its own, so a load from this process does not stall it. */
function serveChild(extra: string[] = []): Promise<{ url: string; child: ChildProcess }> {
  const child = spawn(
    process.execPath,
    [path.join(ROOT, 'bin/lenet-onnx.js'), 'serve', '--port', '0', '--no-web', '--model', MODEL, ...extra],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (c: Buffer) => {
      out += c;
      const m = /at (http:\/\/\S+\/)/.exec(out);
      if (m) resolve({ url: m[1], child });
    });
    child.once('close', (code) => reject(new Error(`serve exited with ${code}: ${out}`)));
  });
}

/** Probe `url`'s readiness every 20 ms until `stop` resolves; the latencies seen, largest last. */
async function probeHealth(url: string, stop: Promise<unknown>): Promise<number[]> {
  let done = false;
  void stop.finally(() => {
    done = true;
  });
  const seen: number[] = [];
  while (!done) {
    const t = performance.now();
    const r = await fetch(url + 'v2/health/ready');
    await r.arrayBuffer();
    seen.push(performance.now() - t);
    await new Promise((r) => setTimeout(r, 20));
  }
  return seen.sort((a, b) => a - b);
}

/**
 * A 7000x7000 8-bit RGBA PNG of about 190 KB: under every per-picture limit, yet seconds of inflating, unfiltering
 * and converting to decode.
 */
function heavyPng(): Uint8Array<ArrayBuffer> {
  const w = 7000,
    h = 7000;
  return new Uint8Array(
    pngFromChunks([
      ['IHDR', ihdr(w, h, 8, 6)],
      ['IDAT', zlib.deflateSync(Buffer.alloc((1 + w * 4) * h), { level: 9 })],
      ['IEND', Buffer.alloc(0)],
    ]),
  );
}

/** GET without any decoding of the body, which is what a client asking for an encoding gets. */
function rawGet(url: string, encoding: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, { headers: { 'accept-encoding': encoding } }, (res) => {
        const parts: Buffer[] = [];
        res.on('data', (c: Buffer) => parts.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(parts) }));
        res.on('error', reject);
      })
      .on('error', reject);
  });
}

const postPng = (url: string, body: Uint8Array<ArrayBuffer>) =>
  fetch(url + 'v1/predict', { method: 'POST', headers: { 'content-type': 'image/png' }, body }).then(async (r) => ({
    status: r.status,
    body: (await r.json()) as { error?: string },
  }));

const one = (over: Record<string, unknown> = {}) => ({
  inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 1, 28, 28], data: rows(1), ...over }],
});

test('output lists: a name listed twice, or thousands of times, is a 400 before any work', async () => {
  const u = await serve();
  const twice = await postJson(u + INFER, {
    ...one(),
    outputs: [{ name: 'probabilities' }, { name: 'probabilities' }],
  });
  assert.equal(twice.status, 400);
  assert.match(twice.body.error, /^outputs\[1\]\.name: 'probabilities' is listed more than once/);
  // the request of the report: a batch of 256 and one name 20,000 times, under 1 MB of JSON without the data
  const many = inferBody(256, 0, { outputs: new Array(20_000).fill({ name: 'probabilities' }) });
  const t = performance.now();
  const r = await postJson(u + INFER, many);
  assert.equal(r.status, 400);
  assert.match(r.body.error, /^outputs\[1\]\.name: .* more than once/);
  assert.ok(performance.now() - t < 5000, `took ${Math.round(performance.now() - t)} ms`);
  const unknown = await postJson(u + INFER, { ...one(), outputs: [{ name: 'logits' }] });
  assert.equal(unknown.status, 400);
  assert.match(unknown.body.error, /^outputs\[0\]\.name: the model has no output 'logits'/);
  const fine = await postJson(u + INFER, { ...one(), outputs: [{ name: 'probabilities' }] });
  assert.equal(fine.status, 200);
  assert.equal(fine.body.outputs.length, 1);
});

test('values FP32 cannot hold are a 400, not probabilities of null', async () => {
  const u = await serve();
  for (const v of [1e300, -1e39, 3.5e38]) {
    const r = await postJson(u + INFER, one({ data: [...rows(1).slice(0, 5), v, ...rows(1).slice(6)] }));
    assert.equal(r.status, 400, String(v));
    assert.match(r.body.error, /^inputs\[0\]\.data: value 5 \(.*\) is outside the range of FP32/);
  }
});

test('data nested 10,000 deep is a 400 naming the field, not a 500', async () => {
  const u = await serve();
  const deep = '['.repeat(10_000) + '0' + ']'.repeat(10_000);
  const body = `{"inputs":[{"name":"image","datatype":"FP32","shape":[1,1,28,28],"data":${deep}}]}`;
  const r = await postJson(u + INFER, body);
  assert.equal(r.status, 400);
  assert.match(r.body.error, /^inputs\[0\]\.data: nested 10000 deep; the shape \[1,1,28,28\] allows at most 4/);
  // deep nesting elsewhere in the body is left alone: only data is walked
  const params = `{"parameters":{"x":${deep}},"inputs":[{"name":"image","datatype":"FP32","shape":[1,1,28,28],"data":${JSON.stringify(rows(1))}}]}`;
  assert.equal((await postJson(u + INFER, params)).status, 200);
});

test('a JSON body that is not an object is a 400 that says what it is', async () => {
  const u = await serve();
  for (const [body, what] of [
    ['5', 'a number'],
    ['"x"', 'a string'],
    ['true', 'a boolean'],
    ['null', 'null'],
    ['[1]', 'an array'],
  ]) {
    const r = await postJson(u + INFER, body);
    assert.equal(r.status, 400, body);
    assert.equal(r.body.error, `request body: expected a JSON object with an "inputs" array, got ${what}`);
  }
});

test('a query parameter given twice is a 400, never an array in the row', async () => {
  const u = await serve();
  const png = new Uint8Array(pngBytes({ width: 28, height: 28, data: new Uint8Array(784).fill(200) }));
  for (const q of ['path=a&path=b', 'model=lenet5&model=lenet5', 'top_k=2&top_k=3']) {
    const r = await fetch(`${u}v1/predict?${q}`, {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: png,
    });
    const body = (await r.json()) as { error: string };
    assert.equal(r.status, 400, q);
    assert.match(body.error, new RegExp(`^${q.split('=')[0]}: given 2 times; give it once`));
  }
});

test('static files: precompressed siblings, linked folders and index files that lead out are 404', async () => {
  const dir = caseDir('static');
  const site = path.join(dir, 'site'),
    outside = path.join(dir, 'outside');
  mkdirSync(path.join(site, 'sub'), { recursive: true });
  mkdirSync(outside);
  const SECRET = 'secret outside the served folder';
  writeFileSync(path.join(outside, 'secret.txt'), SECRET);
  writeFileSync(path.join(outside, 'f.txt.gz'), zlib.gzipSync(SECRET));
  writeFileSync(path.join(outside, 'index.html'), SECRET);
  writeFileSync(path.join(site, 'index.html'), '<!doctype html>');
  writeFileSync(path.join(site, 'x.txt'), 'x');
  symlinkSync(path.join(outside, 'secret.txt'), path.join(site, 'x.txt.gz'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(site, 'x.txt.br'));
  symlinkSync(outside, path.join(site, 'lnk'));
  symlinkSync(path.join(outside, 'index.html'), path.join(site, 'sub', 'index.html'));
  // the model served at the page's URL, with a precompressed sibling leading out of its folder
  const models = path.join(dir, 'models');
  mkdirSync(models);
  copyFileSync(MODEL, path.join(models, 'lenet5.onnx'));
  symlinkSync(path.join(outside, 'secret.txt'), path.join(models, 'lenet5.onnx.gz'));
  const u = await serve({ web: true, webRoot: site, models: [path.join(models, 'lenet5.onnx')] });
  for (const [p, enc] of [
    ['x.txt', 'gzip'],
    ['x.txt', 'br'],
    ['lnk/f.txt', 'gzip'],
    ['lnk/secret.txt', 'identity'],
    ['sub/', 'identity'],
    ['sub', 'gzip'],
    ['lenet5.onnx', 'gzip'],
  ]) {
    const r = await rawGet(u + p, enc);
    let plain = r.body.toString();
    try {
      plain += zlib.gunzipSync(r.body).toString();
    } catch {
      /* not gzip data */
    }
    assert.ok(!plain.includes(SECRET), `/${p} (${enc}) served the file outside`);
    assert.equal(r.status, 404, `/${p} (${enc})`);
  }
  // what stays inside is served as before
  assert.equal((await fetch(u + 'index.html')).status, 200);
});

test('an empty or blank token is refused at start, with one line and exit 2', async () => {
  for (const [args, env] of [
    [['--token', ''], undefined],
    [['--token', '   '], undefined],
    [[], ''],
    [[], ' \t'],
  ] as Array<[string[], string | undefined]>) {
    const what = `--token '${args[1] ?? ''}' LENET_TOKEN=${JSON.stringify(env)}`;
    const saved = process.env.LENET_TOKEN;
    if (env === undefined) delete process.env.LENET_TOKEN;
    else process.env.LENET_TOKEN = env;
    try {
      const r = await runCli(['serve', '--port', '0', '--no-web', ...args]);
      assertRefused(r, what, 2, env === undefined ? /--token: empty or blank/ : /LENET_TOKEN: empty or blank/);
    } finally {
      if (saved === undefined) delete process.env.LENET_TOKEN;
      else process.env.LENET_TOKEN = saved;
    }
  }
});

test('heavy pictures: health answers meanwhile, --request-timeout-ms holds (503), shutdown keeps its grace', async () => {
  const png = heavyPng();
  const h = await serveForTest({ requestTimeoutMs: 1500, shutdownGraceMs: 1500 });
  const t = performance.now();
  const work = Promise.all([postPng(h.url, png), postPng(h.url, png), postPng(h.url, png)]);
  const times = work.then(() => performance.now() - t);
  const health = await probeHealth(h.url, work);
  const answers = await work;
  assert.ok(health.at(-1)! < 1000, `readiness took ${Math.round(health.at(-1)!)} ms while pictures decoded`);
  assert.ok((await times) < 4000, `three answers took ${Math.round(await times)} ms with a 1500 ms timeout`);
  assert.ok(
    answers.some((a) => a.status === 503 && /timed out after 1500 ms/.test(a.body.error ?? '')),
    JSON.stringify(answers),
  );
  // shutdown while decodes are in flight ends within its grace (plus the time to stop the workers)
  const more = Promise.all([postPng(h.url, png), postPng(h.url, png)]).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 200));
  const c = performance.now();
  await h.close();
  assert.ok(performance.now() - c < 3500, `close took ${Math.round(performance.now() - c)} ms with a 1500 ms grace`);
  await more;
});

test('a JPEG too short for the size it claims is refused at once, not queued behind heavy pictures', async () => {
  const png = heavyPng();
  const jpeg = new Uint8Array(await jpegClaiming(7000, 7000));
  const h = await serveForTest({ requestTimeoutMs: 1500 });
  try {
    // two heavy decodes hold the pixel budget well past the request timeout
    const heavy = Promise.all([postPng(h.url, png), postPng(h.url, png)]);
    await new Promise((r) => setTimeout(r, 100));
    const r = await fetch(h.url + 'v1/predict', {
      method: 'POST',
      headers: { 'content-type': 'image/jpeg' },
      body: jpeg,
    });
    const body = (await r.json()) as { error?: string };
    assert.equal(r.status, 422, JSON.stringify(body));
    assert.match(body.error ?? '', /truncated JPEG: the header says 7000x7000/);
    await heavy;
  } finally {
    await h.close();
  }
});

test('twenty concurrent 16 MB JSON bodies: health stays responsive', async () => {
  const { url, child } = await serveChild();
  // the flood comes from a process of its own too, so that sending it does not delay this one's probes
  const flood = spawn(
    process.execPath,
    [
      '-e',
      `const body = Buffer.from('{"x":[' + '0,'.repeat(${(16 * 1024 * 1024) / 2 - 40}) + '0]}');
       Promise.all(Array.from({ length: 20 }, () =>
         fetch(process.argv[1], { method: 'POST', headers: { 'content-type': 'application/json' }, body })
           .then((r) => r.status, () => 0))).then((s) => console.log(s.join(',')));`,
      url + INFER,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  children.push(flood);
  let out = '';
  flood.stdout!.on('data', (c: Buffer) => (out += c));
  const ended = new Promise((r) => flood.once('close', r));
  const health = await probeHealth(url, ended);
  child.kill('SIGTERM');
  const statuses = out.trim().split(',').map(Number);
  assert.equal(statuses.length, 20, out);
  assert.ok(
    statuses.every((s) => s === 400 || s === 413 || s === 503),
    statuses.join(','),
  );
  const median = health[health.length >> 1];
  assert.ok(median < 100, `readiness took ${Math.round(median)} ms at the median under the flood`);
  assert.ok(health.at(-1)! < 2500, `readiness took ${Math.round(health.at(-1)!)} ms under the flood`);
});
