// Open Inference Protocol (v2 REST) conformance, end to end over HTTP: every route, status code and JSON shape.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { CLASSIC, HAVE_CLASSIC, MODEL, getJson, inferBody, postJson, rows, serveForTest } from './helpers/server.js';

let srv: ServeHandle;
let u: string;

before(async () => {
  srv = await serveForTest({ models: HAVE_CLASSIC ? [MODEL, CLASSIC] : [MODEL] });
  u = srv.url;
});
after(async () => srv?.close());

test('health: live and ready answer 200 with JSON', async () => {
  assert.deepEqual(await getJson(u + 'v2/health/live').then((r) => [r.status, r.body]), [200, { live: true }]);
  assert.deepEqual(await getJson(u + 'v2/health/ready').then((r) => [r.status, r.body]), [200, { ready: true }]);
});

test('server metadata: name, version, extensions', async () => {
  const r = await getJson(u + 'v2');
  assert.equal(r.status, 200);
  assert.equal(r.body.name, 'lenet-onnx');
  assert.match(r.body.version, /^\d+\.\d+\.\d+/);
  assert.ok(Array.isArray(r.body.extensions));
  assert.ok(r.body.extensions.includes('binary_tensor_data'));
});

test('model metadata: platform, tensors from the ONNX file with -1 for the batch, the contract', async () => {
  for (const path of ['v2/models/lenet5', 'v2/models/lenet5/versions/1']) {
    const r = await getJson(u + path);
    assert.equal(r.status, 200, path);
    assert.equal(r.body.name, 'lenet5');
    assert.deepEqual(r.body.versions, ['1']);
    assert.equal(r.body.platform, 'onnxruntime_onnx');
    assert.deepEqual(r.body.inputs, [{ name: 'image', datatype: 'FP32', shape: [-1, 1, 28, 28] }]);
    assert.deepEqual(r.body.outputs, [{ name: 'probabilities', datatype: 'FP32', shape: [-1, 10] }]);
    assert.equal(r.body.contract.inputName, 'image');
    assert.deepEqual(r.body.contract.labels, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  }
});

test(
  'several models, each under its file stem with its own metadata',
  { skip: !HAVE_CLASSIC && 'no models/classic.onnx' },
  async () => {
    const r = await getJson(u + 'v2/models/classic');
    assert.equal(r.status, 200);
    assert.equal(r.body.name, 'classic');
    const inf = await postJson(u + 'v2/models/classic/infer', inferBody(1));
    assert.equal(inf.status, 200);
    assert.equal(inf.body.model_name, 'classic');
  },
);

test('model ready: 200 for a served model, 404 for an unknown model or version', async () => {
  const r = await getJson(u + 'v2/models/lenet5/ready');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body, { name: 'lenet5', ready: true });
  for (const p of [
    'v2/models/nope/ready',
    'v2/models/nope',
    'v2/models/lenet5/versions/7',
    'v2/models/lenet5/versions/7/ready',
  ]) {
    const bad = await getJson(u + p);
    assert.equal(bad.status, 404, p);
    assert.equal(typeof bad.body.error, 'string', p);
  }
  const inf = await postJson(u + 'v2/models/nope/infer', inferBody(1));
  assert.equal(inf.status, 404);
  assert.match(inf.body.error, /unknown model 'nope'/);
});

test('infer: response shape, id echoed, values equal to a direct onnxruntime run', async () => {
  const n = 3;
  const r = await postJson(
    u + 'v2/models/lenet5/infer',
    inferBody(n, 5, { id: 'req-42', parameters: { anything: 1 } }),
  );
  assert.equal(r.status, 200);
  assert.equal(r.body.model_name, 'lenet5');
  assert.equal(r.body.id, 'req-42');
  assert.equal(r.body.outputs.length, 1);
  const out = r.body.outputs[0];
  assert.equal(out.name, 'probabilities');
  assert.equal(out.datatype, 'FP32');
  assert.deepEqual(out.shape, [n, 10]);
  assert.equal(out.data.length, n * 10);
  const model = await loadDigitModel(MODEL);
  try {
    const direct = await model.run(Float32Array.from(rows(n, 5)), n);
    assert.deepEqual(out.data, Array.from(direct));
  } finally {
    await model.close();
  }
  const noId = await postJson(u + 'v2/models/lenet5/infer', inferBody(1));
  assert.equal('id' in noId.body, false);
});

test('infer: nested data equals flat data', async () => {
  const flat = rows(2, 1);
  const nested = [0, 1].map((r) => [
    Array.from({ length: 28 }, (_, y) => flat.slice(r * 784 + y * 28, r * 784 + y * 28 + 28)),
  ]);
  const a = await postJson(u + 'v2/models/lenet5/infer', inferBody(2, 1));
  const b = await postJson(u + 'v2/models/lenet5/infer', {
    inputs: [{ name: 'image', datatype: 'FP32', shape: [2, 1, 28, 28], data: nested }],
  });
  assert.equal(b.status, 200);
  assert.deepEqual(b.body.outputs, a.body.outputs);
});

test('infer: the outputs field selects outputs, and an unknown one is a 400 naming it', async () => {
  const ok = await postJson(u + 'v2/models/lenet5/infer', inferBody(1, 0, { outputs: [{ name: 'probabilities' }] }));
  assert.equal(ok.status, 200);
  assert.deepEqual(
    ok.body.outputs.map((o: { name: string }) => o.name),
    ['probabilities'],
  );
  const bad = await postJson(u + 'v2/models/lenet5/infer', inferBody(1, 0, { outputs: [{ name: 'logits' }] }));
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /^outputs\[0\]\.name: .*'logits'/);
});

test('infer: binary tensor extension in and out', async () => {
  const input = Float32Array.from(rows(2, 3));
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'image', datatype: 'FP32', shape: [2, 1, 28, 28], parameters: { binary_data_size: input.byteLength } },
      ],
      outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
    }),
  );
  const r = await fetch(u + 'v2/models/lenet5/infer', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body: Buffer.concat([header, Buffer.from(input.buffer)]),
  });
  assert.equal(r.status, 200);
  const body = Buffer.from(await r.arrayBuffer());
  const len = Number(r.headers.get('inference-header-content-length'));
  const json = JSON.parse(body.subarray(0, len).toString());
  assert.deepEqual(json.outputs[0], {
    name: 'probabilities',
    datatype: 'FP32',
    shape: [2, 10],
    parameters: { binary_data_size: 80 },
  });
  const tail = body.subarray(len);
  const got = new Float32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + tail.byteLength));
  const viaJson = await postJson(u + 'v2/models/lenet5/infer', inferBody(2, 3));
  assert.deepEqual(Array.from(got), viaJson.body.outputs[0].data);
});

test('unknown API routes are JSON 404s', async () => {
  const r = await getJson(u + 'v2/nothing/here');
  assert.equal(r.status, 404);
  assert.equal(typeof r.body.error, 'string');
});
