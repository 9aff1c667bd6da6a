// Every limit of the API, over HTTP: body size, content type, each malformed field, saturation, timeout, token, CORS.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { getJson, inferBody, postJson, rows, serveForTest } from './helpers/server.js';

const started: ServeHandle[] = [];
async function serve(o: Parameters<typeof serveForTest>[0] = {}): Promise<string> {
  const h = await serveForTest(o);
  started.push(h);
  return h.url;
}
after(async () => {
  for (const h of started) await h.close();
});

const INFER = 'v2/models/lenet5/infer';

test('413 for a body over --max-body-mb', async () => {
  const u = await serve({ maxBodyMb: 0.001 });
  const r = await postJson(u + INFER, inferBody(2));
  assert.equal(r.status, 413);
  assert.match(r.body.error, /too large/);
});

test('415 for a content type the route does not take', async () => {
  const u = await serve();
  const xml = await fetch(u + INFER, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<a/>' });
  assert.equal(xml.status, 415);
  assert.equal(typeof (await xml.json()).error, 'string');
  const png = await fetch(u + INFER, {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: Buffer.from([1, 2, 3]),
  });
  assert.equal(png.status, 415);
  const json = await postJson(u + 'v1/predict', { a: 1 });
  assert.equal(json.status, 415);
  assert.match(json.body.error, /image\/png/);
});

test('400 naming the field for each malformed part of an infer request', async () => {
  const u = await serve();
  const t = (over: Record<string, unknown>) => ({
    inputs: [{ name: 'image', datatype: 'FP32', shape: [1, 1, 28, 28], data: rows(1), ...over }],
  });
  const cases: Array<[unknown, RegExp]> = [
    ['{not json', /^request body: not valid JSON/],
    [[1, 2], /^request body: expected a JSON object/],
    [{ id: 5, inputs: [] }, /^id: expected a string/],
    [{ parameters: 3, ...t({}) }, /^parameters: expected an object/],
    [{}, /^inputs: expected an array/],
    [{ inputs: [] }, /^inputs: expected 1 tensor/],
    [t({ name: 'pixels' }), /^inputs\[0\]\.name: .*"pixels".*'image'/],
    [t({ datatype: 'FP64' }), /^inputs\[0\]\.datatype: expected "FP32", got "FP64"/],
    [t({ shape: [1, 28, 28] }), /^inputs\[0\]\.shape: expected \[N,1,28,28\], got \[1,28,28\]/],
    [t({ shape: [1, 1, 28, 27] }), /^inputs\[0\]\.shape: expected \[N,1,28,28\]/],
    [t({ shape: [0, 1, 28, 28] }), /^inputs\[0\]\.shape: batch of 0/],
    [t({ shape: ['1', 1, 28, 28] }), /^inputs\[0\]\.shape: expected an array of non-negative integers/],
    [t({ data: rows(1).slice(1) }), /^inputs\[0\]\.data: 783 values, but the shape holds 784/],
    [t({ data: [...rows(1), 0] }), /^inputs\[0\]\.data: more than the 784 values/],
    [t({ data: [...rows(1).slice(1), 'x'] }), /^inputs\[0\]\.data: value 783 is string/],
    [t({ data: undefined }), /^inputs\[0\]\.data: missing/],
    [{ ...t({}), outputs: 'probabilities' }, /^outputs: expected an array/],
  ];
  for (const [body, re] of cases) {
    const r = await postJson(u + INFER, body);
    assert.equal(r.status, 400, JSON.stringify(body).slice(0, 80));
    assert.match(r.body.error, re);
  }
});

test('503 with Retry-After once --max-in-flight requests are in flight', async () => {
  // a long batch delay holds the first request in the queue while the second arrives
  const u = await serve({ maxInFlight: 1, batchDelayMs: 300, maxBatch: 64 });
  const first = postJson(u + INFER, inferBody(1));
  await new Promise((r) => setTimeout(r, 50));
  const second = await postJson(u + INFER, inferBody(1));
  assert.equal(second.status, 503);
  assert.equal(second.headers.get('retry-after'), '1');
  assert.match(second.body.error, /busy/);
  assert.equal((await first).status, 200);
  // the place is free again once the first has been answered
  assert.equal((await postJson(u + INFER, inferBody(1))).status, 200);
});

test('503 when a request outlives --request-timeout-ms', async () => {
  const u = await serve({ requestTimeoutMs: 50, batchDelayMs: 400 });
  const r = await postJson(u + INFER, inferBody(1));
  assert.equal(r.status, 503);
  assert.match(r.body.error, /timed out after 50 ms/);
});

test('--token: 401 without or with a wrong bearer token; health probes and the widget stay public', async () => {
  const u = await serve({ token: 's3cret', web: true });
  const none = await postJson(u + INFER, inferBody(1));
  assert.equal(none.status, 401);
  assert.equal(none.headers.get('www-authenticate'), 'Bearer');
  assert.match(none.body.error, /missing bearer token/);
  assert.equal((await getJson(u + 'v2/models/lenet5', { authorization: 'Bearer nope' })).status, 401);
  assert.equal((await getJson(u + 'v2/models/lenet5', { authorization: 'Bearer s3cret' })).status, 200);
  assert.equal((await postJson(u + INFER, inferBody(1), { authorization: 'Bearer s3cret' })).status, 200);
  assert.equal((await fetch(u + 'v2/health/ready')).status, 200);
  assert.equal((await fetch(u)).status, 200);
});

test('--cors: the API answers preflights for the allowed origin only', async () => {
  const u = await serve({ cors: ['https://example.org'] });
  const pre = await fetch(u + INFER, {
    method: 'OPTIONS',
    headers: {
      origin: 'https://example.org',
      'access-control-request-method': 'POST',
      'access-control-request-headers': 'content-type',
    },
  });
  assert.ok(pre.status === 204 || pre.status === 200);
  assert.equal(pre.headers.get('access-control-allow-origin'), 'https://example.org');
  const other = await fetch(u + 'v2', { headers: { origin: 'https://evil.example' } });
  assert.equal(other.headers.get('access-control-allow-origin'), null);
  const none = await serve();
  const r = await fetch(none + 'v2', { headers: { origin: 'https://example.org' } });
  assert.equal(r.headers.get('access-control-allow-origin'), null);
});

test('graceful stop: a request in flight is answered, readiness turns 503 first, then the port closes', async () => {
  const h = await serveForTest({ batchDelayMs: 300 });
  const pending = postJson(h.url + INFER, inferBody(1));
  await new Promise((r) => setTimeout(r, 50));
  const closing = h.close();
  const answered = await pending;
  assert.equal(answered.status, 200);
  await closing;
  await assert.rejects(fetch(h.url + 'v2/health/live'));
});
