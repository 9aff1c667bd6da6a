// Serving ONNX files without the digit contract: a tfjs image model exported by `lenet-onnx export` and hand-built
// graphs with several inputs and outputs of other datatypes, served in-process beside a digit model. Every answer
// is compared with onnxruntime-node's own run of the same file.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as tf from '@tensorflow/tfjs';
import { exportModelDir } from '../../src/jobs/export.js';
import type { ServeHandle } from '../../src/jobs/serve.js';
import { attr, DataType, encodeModel, valueInfo } from '../../src/onnx/encode.js';
import { initBackend } from '../../src/train/backend.js';
import { saveModelDir } from '../../src/train/models/model-io.js';
import { lcg } from '../export/helpers/equivalence.js';
import { randomizeWeights } from '../export/helpers/zoo.js';
import { MODEL, getJson, inferBody, postJson, rows, serveForTest } from './helpers/server.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lenet-serve-generic-'));
/** The exported tfjs model, its input and output names, and the two hand-built graphs. */
const IMAGE = path.join(dir, 'tiny-image.onnx');
const PAIR = path.join(dir, 'pair.onnx');
const SEQ = path.join(dir, 'seq.onnx');
const SUM = path.join(dir, 'sum.onnx');
const SIDE = 6;
const CLASSES = 4;
let imageIn = '';
let imageOut = '';
let srv: ServeHandle;
let u: string;

/** A small Teachable-Machine-like classifier (Conv, BatchNormalization, ReLU6, pooling, Dense softmax), exported. */
async function exportImageModel(): Promise<void> {
  await initBackend('wasm');
  const input = tf.input({ shape: [SIDE, SIDE, 3] });
  let x = tf.layers.conv2d({ filters: 5, kernelSize: 3, padding: 'same', useBias: false }).apply(input);
  x = tf.layers.batchNormalization().apply(x);
  x = tf.layers.reLU({ maxValue: 6 }).apply(x);
  x = tf.layers.globalAveragePooling2d({}).apply(x);
  const y = tf.layers.dense({ units: CLASSES, activation: 'softmax' }).apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: y });
  randomizeWeights(model, 11);
  const modelDir = path.join(dir, 'tiny-image');
  await saveModelDir(model, modelDir);
  model.dispose();
  await exportModelDir({ modelDir, out: IMAGE, opset: 13, verify: true, atol: 1e-5, verifySamples: 2 }, () => {});
}

/** A model holding `graph`, its header that of a small test file. */
function testModel(graph: Parameters<typeof encodeModel>[0]['graph']): Parameters<typeof encodeModel>[0] {
  return {
    irVersion: 7,
    opsetImport: [{ domain: '', version: 13 }],
    producerName: 'test',
    producerVersion: '1',
    docString: '',
    metadataProps: [],
    graph,
  };
}

/** a FP32 [N,4] and b INT32 [N,4] -> sum FP32 (a + b), twice INT32 (b + b): two inputs, two outputs, two types. */
function writePairModel(): void {
  const bytes = encodeModel(
    testModel({
      name: 'pair',
      node: [
        { name: 'cast', opType: 'Cast', input: ['b'], output: ['bf'], attribute: [attr.int('to', DataType.FLOAT)] },
        { name: 'sum', opType: 'Add', input: ['a', 'bf'], output: ['sum'], attribute: [] },
        { name: 'twice', opType: 'Add', input: ['b', 'b'], output: ['twice'], attribute: [] },
      ],
      initializer: [],
      input: [valueInfo('a', ['N', 4]), valueInfo('b', ['N', 4], INT32)],
      output: [valueInfo('sum', ['N', 4]), valueInfo('twice', ['N', 4], INT32)],
    }),
  );
  writeFileSync(PAIR, bytes);
}

/** A graph of one node over `inputs`, all FP32 with the given dimensions, to `y` [N,L]. */
function writeOneNode(file: string, op: string, inputs: Array<[string, Array<number | string>]>): void {
  writeFileSync(
    file,
    encodeModel(
      testModel({
        name: op,
        node: [{ name: op, opType: op, input: inputs.map(([n]) => n), output: ['y'], attribute: [] }],
        initializer: [],
        input: inputs.map(([n, dims]) => valueInfo(n, dims)),
        output: [valueInfo('y', ['N', 'L'])],
      }),
    ),
  );
}

const INT32 = 6;

/** onnxruntime-node's own run of `file` on `feeds`: the answer the server must give. */
async function direct(file: string, feeds: Record<string, ort.Tensor>): Promise<Record<string, ort.Tensor>> {
  const s = await ort.InferenceSession.create(file);
  try {
    return await s.run(feeds);
  } finally {
    await s.release();
  }
}

/** `n` pictures of SIDE x SIDE x 3 values in [0, 1), seeded. */
function pictures(n: number, seed: number): number[] {
  const r = lcg(seed);
  return Array.from({ length: n * SIDE * SIDE * 3 }, () => r());
}

before(async () => {
  await exportImageModel();
  writePairModel();
  // y = -x: a free dimension past the first, so no batching, and the answer's size known only after the run
  writeOneNode(SEQ, 'Neg', [['x', ['N', 'L']]]);
  // y = x + z: L and M must agree, which the declared shapes leave unsaid
  writeOneNode(SUM, 'Add', [
    ['x', ['N', 'L']],
    ['z', ['N', 'M']],
  ]);
  const { readOnnxInfo } = await import('../../src/onnx/info.js');
  const { readFileSync } = await import('node:fs');
  const info = readOnnxInfo(readFileSync(IMAGE));
  imageIn = info.inputs[0].name;
  imageOut = info.outputs[0].name;
  srv = await serveForTest({ models: [IMAGE, PAIR, SEQ, SUM, MODEL], maxBatch: 64, batchDelayMs: 200 });
  u = srv.url;
});
after(async () => srv?.close());

test('metadata of an exported image model: its real input and output, no contract', async () => {
  const r = await getJson(u + 'v2/models/tiny-image');
  assert.equal(r.status, 200);
  assert.deepEqual(r.body.inputs, [{ name: imageIn, datatype: 'FP32', shape: [-1, SIDE, SIDE, 3] }]);
  assert.deepEqual(r.body.outputs, [{ name: imageOut, datatype: 'FP32', shape: [-1, CLASSES] }]);
  assert.deepEqual(r.body.versions, ['1']);
  assert.equal('contract' in r.body, false);
  const pair = await getJson(u + 'v2/models/pair/versions/1');
  assert.deepEqual(pair.body.inputs, [
    { name: 'a', datatype: 'FP32', shape: [-1, 4] },
    { name: 'b', datatype: 'INT32', shape: [-1, 4] },
  ]);
  assert.deepEqual(pair.body.outputs, [
    { name: 'sum', datatype: 'FP32', shape: [-1, 4] },
    { name: 'twice', datatype: 'INT32', shape: [-1, 4] },
  ]);
  assert.equal((await getJson(u + 'v2/models/tiny-image/ready')).status, 200);
});

test('infer on the exported model equals onnxruntime-node, for concurrent requests that were batched', async () => {
  const sizes = [1, 3, 2, 1, 2, 3, 1, 2];
  const answers = await Promise.all(
    sizes.map((n, i) =>
      postJson(u + 'v2/models/tiny-image/infer', {
        id: `r${i}`,
        inputs: [{ name: imageIn, datatype: 'FP32', shape: [n, SIDE, SIDE, 3], data: pictures(n, i) }],
      }),
    ),
  );
  const stats = srv.models.get('tiny-image')!.batcher!.stats;
  assert.ok(stats.runs < sizes.length, `${stats.runs} runs for ${sizes.length} requests: nothing was batched`);
  for (const [i, n] of sizes.entries()) {
    const r = answers[i];
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.id, `r${i}`);
    const want = await direct(IMAGE, {
      [imageIn]: new ort.Tensor('float32', Float32Array.from(pictures(n, i)), [n, SIDE, SIDE, 3]),
    });
    assert.deepEqual(r.body.outputs, [
      { name: imageOut, datatype: 'FP32', shape: [n, CLASSES], data: Array.from(want[imageOut].data as Float32Array) },
    ]);
  }
});

test('two inputs of two datatypes, in any order, JSON and binary, equal onnxruntime-node', async () => {
  const a = [0.5, -1, 2.25, 3, 1, 2, 3, 4];
  const b = [1, 2, -3, 4, 5, 6, 7, -8];
  const want = await direct(PAIR, {
    a: new ort.Tensor('float32', Float32Array.from(a), [2, 4]),
    b: new ort.Tensor('int32', Int32Array.from(b), [2, 4]),
  });
  const r = await postJson(u + 'v2/models/pair/infer', {
    inputs: [
      { name: 'b', datatype: 'INT32', shape: [2, 4], data: [b.slice(0, 4), b.slice(4)] },
      { name: 'a', datatype: 'FP32', shape: [2, 4], data: a },
    ],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.outputs, [
    { name: 'sum', datatype: 'FP32', shape: [2, 4], data: Array.from(want.sum.data as Float32Array) },
    { name: 'twice', datatype: 'INT32', shape: [2, 4], data: Array.from(want.twice.data as Int32Array) },
  ]);
  // binary: both inputs' bytes after the JSON part, in the request's order; one output back as binary
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: 'a', datatype: 'FP32', shape: [2, 4], parameters: { binary_data_size: 32 } },
        { name: 'b', datatype: 'INT32', shape: [2, 4], parameters: { binary_data_size: 32 } },
      ],
      outputs: [{ name: 'twice', parameters: { binary_data: true } }],
    }),
  );
  const body = Buffer.concat([
    header,
    Buffer.from(Float32Array.from(a).buffer),
    Buffer.from(Int32Array.from(b).buffer),
  ]);
  const res = await fetch(u + 'v2/models/pair/infer', {
    method: 'POST',
    headers: { 'content-type': 'application/octet-stream', 'inference-header-content-length': String(header.length) },
    body,
  });
  assert.equal(res.status, 200);
  const bytes = Buffer.from(await res.arrayBuffer());
  const len = Number(res.headers.get('inference-header-content-length'));
  const json = JSON.parse(bytes.subarray(0, len).toString('utf8'));
  assert.deepEqual(json.outputs, [
    { name: 'twice', datatype: 'INT32', shape: [2, 4], parameters: { binary_data_size: 32 } },
  ]);
  const tail = bytes.subarray(len);
  assert.deepEqual(
    Array.from(new Int32Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + tail.byteLength))),
    Array.from(want.twice.data as Int32Array),
  );
});

test('a free dimension past the first: each request runs alone, at its own length', async () => {
  assert.equal(srv.models.get('seq')!.batcher, undefined);
  for (const len of [1, 5]) {
    const x = Array.from({ length: 2 * len }, (_, i) => i - 1.5);
    const r = await postJson(u + 'v2/models/seq/infer', {
      inputs: [{ name: 'x', datatype: 'FP32', shape: [2, len], data: x }],
    });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual(r.body.outputs[0].shape, [2, len]);
    assert.deepEqual(
      r.body.outputs[0].data,
      x.map((v) => -v),
    );
  }
});

test('values onnxruntime refuses within the declared shapes: 422 with its reason', async () => {
  const r = await postJson(u + 'v2/models/sum/infer', {
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
      { name: 'z', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] },
    ],
  });
  assert.equal(r.status, 422);
  assert.match(r.body.error, /^model 'sum' cannot run on these inputs: onnxruntime says /);
  const ok = await postJson(u + 'v2/models/sum/infer', {
    inputs: [
      { name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] },
      { name: 'z', datatype: 'FP32', shape: [1, 2], data: [10, 20] },
    ],
  });
  assert.deepEqual(ok.body.outputs[0].data, [11, 22]);
});

test('bad shapes, datatypes and values answer 400 naming the input, expected against given', async () => {
  const image = (over: Record<string, unknown>) => ({
    inputs: [{ name: imageIn, datatype: 'FP32', shape: [1, SIDE, SIDE, 3], data: pictures(1, 0), ...over }],
  });
  const pair = (a: Record<string, unknown>, b: Record<string, unknown> = {}) => ({
    inputs: [
      { name: 'a', datatype: 'FP32', shape: [1, 4], data: [1, 2, 3, 4], ...a },
      { name: 'b', datatype: 'INT32', shape: [1, 4], data: [1, 2, 3, 4], ...b },
    ],
  });
  const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const cases: Array<[string, unknown, RegExp]> = [
    [
      'tiny-image',
      image({ shape: [1, 3, SIDE, SIDE] }),
      new RegExp(
        `^inputs\\[0\\]\\.shape: expected \\[N,${SIDE},${SIDE},3\\], got \\[1,3,${SIDE},${SIDE}\\] \\(input '${esc(imageIn)}'\\)$`,
      ),
    ],
    [
      'tiny-image',
      image({ datatype: 'INT32' }),
      new RegExp(`^inputs\\[0\\]\\.datatype: expected "FP32", got "INT32" \\(input '${esc(imageIn)}'\\)$`),
    ],
    ['tiny-image', image({ name: 'image' }), new RegExp(`^inputs\\[0\\]\\.name: .*"image".*'${esc(imageIn)}'`)],
    ['pair', pair({}, { datatype: 'FP32' }), /^inputs\[1\]\.datatype: expected "INT32", got "FP32" \(input 'b'\)$/],
    ['pair', pair({}, { data: [1, 2.5, 3, 4] }), /^inputs\[1\]\.data: value 1 \(2\.5\) is not a whole number/],
    ['pair', pair({}, { shape: [2, 4] }), /^inputs\[1\]\.shape: 2 rows, but inputs\[0\] has 1/],
    ['pair', { inputs: pair({}).inputs.slice(0, 1) }, /^inputs: expected 2 tensor\(s\) \('a', 'b'\), got 1/],
    ['pair', { inputs: [pair({}).inputs[0], pair({}).inputs[0]] }, /^inputs\[1\]\.name: 'a' is given more than once/],
    [
      'seq',
      { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 1e6], data: [1, 2] }] },
      /^inputs\[0\]\.shape: .*more than a body of \d+ bytes/,
    ],
  ];
  for (const [model, body, re] of cases) {
    const r = await postJson(u + `v2/models/${model}/infer`, body);
    assert.equal(r.status, 400, `${model}: ${JSON.stringify(r.body)}`);
    assert.match(r.body.error, re);
  }
});

test('picture routes: 400 naming model for a model without the contract; the digit model still reads', async () => {
  const png = (await import('node:fs')).readFileSync('examples/mnist-7.png');
  const send = (q: string, route = 'predict') =>
    fetch(u + `v1/${route}${q}`, { method: 'POST', headers: { 'content-type': 'image/png' }, body: png });
  for (const route of ['predict', 'read']) {
    const r = await send('?model=tiny-image', route);
    assert.equal(r.status, 400, route);
    const body = (await r.json()) as { error: string };
    assert.match(
      body.error,
      /^model: 'tiny-image' has no picture contract .*\/v2\/models\/tiny-image\/infer; models that take pictures: 'lenet5'$/,
    );
  }
  // the default picture model is the digit model, though a generic file was listed first
  assert.equal(srv.defaultModel, 'lenet5');
  const ok = await send('');
  assert.equal(ok.status, 200);
  assert.equal(((await ok.json()) as { digit: string }).digit, '7');
});

test('a server of generic models only: the picture routes answer 404, the protocol serves', async () => {
  const only = await serveForTest({ models: [PAIR] });
  try {
    assert.equal(only.defaultModel, undefined);
    const r = await fetch(only.url + 'v1/predict', {
      method: 'POST',
      headers: { 'content-type': 'image/png' },
      body: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
    });
    assert.equal(r.status, 404);
    assert.match(((await r.json()) as { error: string }).error, /no served model takes pictures/);
    assert.equal((await getJson(only.url + 'v2/models/pair')).status, 200);
  } finally {
    await only.close();
  }
});

test('versions: two files under one name, the highest the default, each reachable by its version', async () => {
  const E20 = path.resolve('models/lenet5-e20.onnx');
  const v = await serveForTest({ models: [`lenet5@5=${MODEL}`, `lenet5@20=${E20}`] });
  try {
    const meta = await getJson(v.url + 'v2/models/lenet5');
    assert.equal(meta.status, 200);
    assert.deepEqual(meta.body.versions, ['5', '20']);
    const x = rows(2, 3);
    const ask = (p: string) => postJson(v.url + p, inferBody(2, 3));
    for (const [p, file, version] of [
      ['v2/models/lenet5/infer', E20, '20'],
      ['v2/models/lenet5/versions/20/infer', E20, '20'],
      ['v2/models/lenet5/versions/5/infer', MODEL, '5'],
    ]) {
      const r = await ask(p);
      assert.equal(r.status, 200, p);
      assert.equal(r.body.model_version, version, p);
      const want = await direct(file, { image: new ort.Tensor('float32', Float32Array.from(x), [2, 1, 28, 28]) });
      assert.deepEqual(r.body.outputs[0].data, Array.from(want.probabilities.data as Float32Array), p);
    }
    assert.equal((await getJson(v.url + 'v2/models/lenet5/versions/5/ready')).status, 200);
    const missing = await getJson(v.url + 'v2/models/lenet5/versions/1');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error, /no version '1'; its versions are '5', '20'/);
    // the picture routes take the name at its default version
    assert.equal(v.defaultModel, 'lenet5');
  } finally {
    await v.close();
  }
  await assert.rejects(serveForTest({ models: [`lenet5@v2=${MODEL}`] }), /version 'v2' is not a positive whole number/);
  await assert.rejects(
    serveForTest({ models: [`lenet5@5=${MODEL}`, `lenet5@5=${E20}`] }),
    /would both be served as 'lenet5' version 5; rename one/,
  );
});

test('--model values: a file under its stem, NAME=FILE, NAME@VERSION=FILE, and a path holding = with a folder part', async () => {
  const { servedEntry } = await import('../../src/server/models.js');
  assert.deepEqual(servedEntry('models/classic.onnx'), { file: 'models/classic.onnx', name: 'classic', version: '1' });
  assert.deepEqual(servedEntry('digits=models/classic.onnx'), {
    file: 'models/classic.onnx',
    name: 'digits',
    version: '1',
  });
  assert.deepEqual(servedEntry('lenet5@20=a/b.onnx'), { file: 'a/b.onnx', name: 'lenet5', version: '20' });
  assert.deepEqual(servedEntry('./x=y.onnx'), { file: './x=y.onnx', name: 'x=y', version: '1' });
  for (const bad of ['lenet5@0=a.onnx', 'lenet5@=a.onnx', 'lenet5@1.5=a.onnx'])
    assert.throws(() => servedEntry(bad), /is not a positive whole number/, bad);
});
