// End-to-end: the widget's demo page served with the int8 file (export --quantize int8), in headless Chromium on
// WASM and on software WebGPU; every answer must match onnxruntime-node on the same file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { readMnist, type IdxDataset } from '../../src/data/idx.js';
import { contractFromMetadata } from '../../src/runtime/contract.js';
import { readOnnxInfo } from '../../src/onnx/info.js';
import { browserSkipReason, launchBrowser } from './helpers/browser.js';
import { compareFloats } from '../helpers/close.js';
import { startServe, type ServeProcess } from './helpers/serve.js';

const INT8 = path.resolve('models/lenet5.int8.onnx');
const skip = browserSkipReason() ?? (existsSync(INT8) ? false : `${INT8} not found (lenet-onnx export --quantize int8)`);
let server: ServeProcess;
let mnist: IdxDataset;

before(async () => {
  if (skip) return;
  mnist = await readMnist('test');
  server = await startServe(['--model', INT8]);
});

after(async () => {
  if (server) assert.equal(await server.stop(), 0, 'serve should exit 0 on Ctrl-C');
});

/** onnxruntime-node's probabilities for the first `n` test images through the shared preprocessing. */
async function nodeProbabilities(n: number): Promise<number[][]> {
  const ort = await import('onnxruntime-node');
  const { preprocess } = await import('../../src/runtime/preprocess.js');
  const contract = contractFromMetadata(readOnnxInfo(new Uint8Array(readFileSync(INT8))).metadata);
  const session = await ort.InferenceSession.create(INT8);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const pre = preprocess({ width: 28, height: 28, data: mnist.images.subarray(i * 784, (i + 1) * 784) }, contract);
    assert.ok(pre.ok, `image ${i}`);
    const r = await session.run({ [contract.inputName]: new ort.Tensor('float32', pre.input, [1, 1, contract.height, contract.width]) });
    out.push(Array.from(r[contract.outputName].data as Float32Array));
  }
  await session.release();
  return out;
}

/** The same images through the main widget's `predictImage`. */
async function browserPredictions(page: Page, n: number): Promise<Array<{ ok: boolean; digit: number; probabilities: number[]; backend: string }>> {
  const gray = Array.from(mnist.images.subarray(0, n * 784));
  return page.evaluate(async ({ gray, n }) => {
    const el = document.getElementById('main') as any;
    const results = [];
    for (let i = 0; i < n; i++) {
      const img = new ImageData(28, 28);
      for (let p = 0; p < 784; p++) img.data.set([gray[i * 784 + p], gray[i * 784 + p], gray[i * 784 + p], 255], p * 4);
      results.push(await el.predictImage(img));
    }
    return results;
  }, { gray, n });
}

function assertAgreement(out: Awaited<ReturnType<typeof browserPredictions>>, node: number[][], label: string): void {
  let worst = 0;
  for (let i = 0; i < node.length; i++) {
    assert.equal(out[i].ok, true, `image ${i}`);
    assert.equal(out[i].digit, node[i].indexOf(Math.max(...node[i])), `image ${i}`);
    const c = compareFloats(out[i].probabilities, node[i], 1e-5, 0);
    worst = Math.max(worst, c.maxAbs);
    assert.ok(c.ok, `image ${i}: max |browser - node| = ${c.maxAbs}`);
  }
  process.stdout.write(`# int8 file, ${label} vs onnxruntime-node on ${node.length} images: max |diff| ${worst.toExponential(2)}, all digits equal\n`);
}

async function openDemo(browser: Awaited<ReturnType<typeof launchBrowser>>): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript('globalThis.__name = (f) => f;');
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') !== 'loading', null, { timeout: 60_000 });
  return { page, errors };
}

test('the int8 file runs in the widget on WASM and matches onnxruntime-node within 1e-5', { skip, timeout: 120_000 }, async () => {
  const browser = await launchBrowser();
  try {
    const { page, errors } = await openDemo(browser);
    assert.equal(await page.getAttribute('#main', 'state'), 'ready');
    assert.equal(await page.getAttribute('#main', 'backend-in-use'), 'wasm');
    const out = await browserPredictions(page, 50);
    assert.ok(out.every((r) => r.backend === 'wasm'));
    assertAgreement(out, await nodeProbabilities(50), 'wasm');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the int8 file on software WebGPU: WebGPU used when it passes the self-check, answers match onnxruntime-node', { skip, timeout: 120_000 }, async (t) => {
  const browser = await launchBrowser({ softwareWebgpu: true });
  try {
    const probe = await browser.context.newPage();
    await probe.goto(server.url);
    if (!(await probe.evaluate(async () => Boolean(await (navigator as any).gpu?.requestAdapter())))) {
      assert.ok(process.env.LENET_REQUIRE_SYSTEM_DEPS !== '1', 'LENET_REQUIRE_SYSTEM_DEPS=1 but this Chromium grants no software WebGPU adapter');
      t.skip('this Chromium grants no software WebGPU adapter');
      return;
    }
    await probe.close();
    const { page, errors } = await openDemo(browser);
    const backend = await page.getAttribute('#main', 'backend-in-use');
    const status = await page.evaluate(() => document.getElementById('main')!.shadowRoot!.querySelector('.status')!.textContent ?? '');
    process.stdout.write(`# int8 file with a software WebGPU adapter: ${status}\n`);
    assert.equal(backend, 'webgpu', `the int8 file should run on WebGPU: ${status}`);
    const out = await browserPredictions(page, 50);
    assert.ok(out.every((r) => r.backend === 'webgpu'));
    assertAgreement(out, await nodeProbabilities(50), 'webgpu');
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
  }
});

test('the demo page offers the float and the int8 file and says which one it loaded', { skip, timeout: 120_000 }, async () => {
  const site = await startServe([]);
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    await page.goto(site.url);
    await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') === 'ready', null, { timeout: 60_000 });
    assert.match(await page.textContent('#model-loaded') ?? '', /^loaded lenet5\.onnx on wasm$/);
    await page.selectOption('#model-choice', './lenet5.int8.onnx');
    await page.waitForFunction(() => /int8/.test(document.getElementById('model-loaded')?.textContent ?? '') && document.getElementById('main')?.getAttribute('state') === 'ready', null, { timeout: 60_000 });
    assert.match(await page.textContent('#model-loaded') ?? '', /^loaded lenet5\.int8\.onnx on wasm$/);
    const out = await browserPredictions(page, 5);
    assertAgreement(out, await nodeProbabilities(5), 'wasm');
  } finally {
    await browser.close();
    assert.equal(await site.stop(), 0);
  }
});
