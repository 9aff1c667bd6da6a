// /v1/predict answers with the very row `lenet-onnx predict --format json` prints for the same picture.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { runCli } from '../helpers/cli.js';
import { MODEL, serveForTest } from './helpers/server.js';

let srv: ServeHandle;
before(async () => {
  srv = await serveForTest();
});
after(async () => srv?.close());

const PICTURES: Array<[string, string]> = [
  ['examples/mnist-7.png', 'image/png'],
  ['examples/dark-on-light-2.png', 'image/png'],
  ['examples/off-centre-4.png', 'image/png'],
  ['examples/photo-3.jpg', 'image/jpeg'],
];

async function post(
  file: string,
  type: string,
  query = '',
): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(`${srv.url}v1/predict?path=${encodeURIComponent(file)}${query}`, {
    method: 'POST',
    headers: { 'content-type': type },
    body: readFileSync(file),
  });
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

test('the row for each example picture is the CLI row, byte for byte', async () => {
  const cli = await runCli('predict', ...PICTURES.map(([f]) => f), '--model', MODEL, '--format', 'json');
  assert.equal(cli.code, 0, cli.stderr);
  const rows = JSON.parse(cli.stdout) as unknown[];
  for (const [i, [file, type]] of PICTURES.entries()) {
    const r = await post(file, type);
    assert.equal(r.status, 200, r.text);
    assert.match(String(r.type), /^application\/json/);
    assert.equal(r.text.trimEnd(), JSON.stringify(rows[i]), file);
  }
});

test('top_k and model are query parameters; bad values are 400 and 404', async () => {
  const r = await post('examples/mnist-7.png', 'image/png', '&top_k=5&model=lenet5');
  assert.equal(JSON.parse(r.text).topK.length, 5);
  assert.equal((await post('examples/mnist-7.png', 'image/png', '&top_k=0')).status, 400);
  assert.equal((await post('examples/mnist-7.png', 'image/png', '&model=nope')).status, 404);
});

test('a body that is no picture is a 422 carrying the CLI row and its error', async () => {
  const r = await fetch(srv.url + 'v1/predict?path=x.png', {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: 'hello, not a png',
  });
  assert.equal(r.status, 422);
  const row = await r.json();
  assert.deepEqual(
    { ...row, error: undefined },
    { path: 'x.png', digit: null, probability: null, topK: [], error: undefined, note: null },
  );
  assert.match(row.error, /^not a picture: starts with 'hello, n'/);
});

test('/v1/read reads the line in a picture', async () => {
  const r = await fetch(srv.url + 'v1/read', {
    method: 'POST',
    headers: { 'content-type': 'image/png' },
    body: readFileSync('examples/mnist-7.png'),
  });
  assert.equal(r.status, 200);
  const row = await r.json();
  assert.equal(row.text, '7');
  assert.equal(row.error, null);
});
