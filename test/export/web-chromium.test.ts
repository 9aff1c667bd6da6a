// Exported files in onnxruntime-web's wasm backend inside headless Chromium (the runtime the widget uses,
// in the place it runs): a few per-layer tiny models and two whole models, each on a seeded batch, must
// compute what tfjs' own predict computes, within 1e-4 of the output's scale.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { after, before, test } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import type { Page } from 'playwright-core';
import type * as OrtWeb from 'onnxruntime-web';
import { initBackend } from '../../src/train/backend.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { layersModelToOnnx } from '../../src/export/to-onnx.js';
import { browserSkipReason, launchBrowser } from '../web/helpers/browser.js';
import { buildGraph, buildLayers, lcg } from './helpers/equivalence.js';
import { smallResNet, uNetLike } from './helpers/zoo.js';
import { relativeDiff } from '../helpers/close.js';

const ORT_DIST = path.resolve('node_modules/onnxruntime-web/dist');
const TYPES: Record<string, string> = {
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.onnx': 'application/octet-stream',
};
/** A page that only loads onnxruntime-web's wasm build, single-threaded (no cross-origin isolation needed). */
const PAGE = `<!doctype html><meta charset="utf-8"><script type="module">
import * as ort from '/ort/ort.wasm.min.mjs';
ort.env.wasm.wasmPaths = '/ort/';
ort.env.wasm.numThreads = 1;
globalThis.ort = ort;
</script>`;

const skip = browserSkipReason() ?? false;
const files = new Map<string, Uint8Array>();
let server: Server;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let page: Page;

/** Serves the page, onnxruntime-web's files and the exported models, nothing else. */
function serve(): Promise<string> {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    let body: Uint8Array | string | undefined;
    if (url.pathname === '/') body = PAGE;
    else if (url.pathname.startsWith('/ort/') && !url.pathname.includes('..'))
      body = readFileSync(path.join(ORT_DIST, url.pathname.slice('/ort/'.length)));
    else if (url.pathname.startsWith('/models/')) body = files.get(url.pathname.slice('/models/'.length));
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(url.pathname)] ?? 'text/html' }).end(body);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)),
  );
}

before(async () => {
  if (skip) return;
  await initBackend('wasm');
  const url = await serve();
  browser = await launchBrowser();
  page = await browser.context.newPage();
  await page.goto(url);
  await page.waitForFunction(() => 'ort' in globalThis, null, { timeout: 60_000 });
});

after(async () => {
  await browser?.close();
  await new Promise((done) => (server ? server.close(done) : done(undefined)));
});

/** Run the file named `name` in the page on `data` of `shape`: the output's dims and values. */
async function runInChromium(name: string, data: Float32Array, shape: number[]) {
  return page.evaluate(
    async ({ url, values, dims }) => {
      const ort = (globalThis as unknown as { ort: typeof OrtWeb }).ort;
      const session = await ort.InferenceSession.create(url, { executionProviders: ['wasm'] });
      const out = await session.run({
        [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(values), dims),
      });
      const y = out[session.outputNames[0]];
      const result = { dims: [...y.dims], values: Array.from(y.data as Float32Array) };
      await session.release();
      return result;
    },
    { url: `/models/${name}.onnx`, values: Array.from(data), dims: shape },
  );
}

/** Export `model` (fed NHWC, as tfjs takes it), run it in Chromium and in tfjs on one seeded batch, compare. */
async function expectSameInChromium(name: string, model: tf.LayersModel, batch = 2): Promise<void> {
  files.set(`${name}.onnx`, encodeModel(layersModelToOnnx(model, { inputLayout: 'nhwc' })));
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const rand = lcg(17);
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);
  const expected = tf.tidy(() => model.predict(tf.tensor(data, shape)) as tf.Tensor);
  const want = expected.dataSync();
  const wantDims = expected.shape;
  expected.dispose();
  model.dispose();
  const got = await runInChromium(name, data, shape);
  // An image output leaves the graph channels-first; compare it in tfjs' order.
  const values =
    wantDims.length === 4
      ? tf.tidy(() => tf.tensor(got.values, got.dims).transpose([0, 2, 3, 1]).dataSync())
      : Float32Array.from(got.values);
  assert.equal(values.length, want.length, `${name}: output dims ${got.dims.join('x')} against ${wantDims.join('x')}`);
  const rel = relativeDiff(values, want);
  assert.ok(rel <= 1e-4, `${name}: relative difference ${rel} between Chromium and tfjs`);
}

const layerCases: Array<[string, () => tf.LayersModel]> = [
  [
    'Conv2D, strides 2, same padding, ReLU6 after it',
    () =>
      buildLayers(
        [9, 9, 3],
        [
          () => tf.layers.conv2d({ filters: 4, kernelSize: 3, strides: 2, padding: 'same' }),
          () => tf.layers.reLU({ maxValue: 6 }),
        ],
      ),
  ],
  [
    'DepthwiseConv2D with depth multiplier 2, then BatchNormalization',
    () =>
      buildLayers(
        [8, 8, 3],
        [
          () => tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same' }),
          () => tf.layers.batchNormalization({}),
        ],
      ),
  ],
  [
    'Conv2DTranspose, valid padding, strides 2',
    () => buildLayers([5, 5, 2], [() => tf.layers.conv2dTranspose({ filters: 3, kernelSize: 3, strides: 2 })]),
  ],
  [
    'UpSampling2D (bilinear) and Concatenate of two branches, then Flatten and Dense',
    () =>
      buildGraph([4, 4, 3], (x) => {
        const a = tf.layers.upSampling2d({ size: [2, 2], interpolation: 'bilinear' }).apply(x) as tf.SymbolicTensor;
        const b = tf.layers.conv2dTranspose({ filters: 2, kernelSize: 2, strides: 2 }).apply(x) as tf.SymbolicTensor;
        const m = tf.layers.concatenate().apply([a, b]) as tf.SymbolicTensor;
        const f = tf.layers.flatten().apply(m) as tf.SymbolicTensor;
        return tf.layers.dense({ units: 5, activation: 'softmax' }).apply(f) as tf.SymbolicTensor;
      }),
  ],
];

for (const [name, make] of layerCases) {
  test(`in Chromium, onnxruntime-web (wasm) computes what tfjs computes: ${name}`, { skip, timeout: 60_000 }, () =>
    expectSameInChromium(name.replace(/\W+/g, '-'), make(), 3),
  );
}

test('in Chromium, onnxruntime-web (wasm) runs the small ResNet as tfjs does', { skip, timeout: 120_000 }, () =>
  expectSameInChromium('resnet', smallResNet()),
);

test('in Chromium, onnxruntime-web (wasm) runs the U-Net-style model as tfjs does', { skip, timeout: 120_000 }, () =>
  expectSameInChromium('unet', uNetLike()),
);
