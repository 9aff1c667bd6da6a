// End-to-end: the widget's demo page served with the int8 file (export --quantize int8), in headless Chromium on
// WASM and on software WebGPU; every answer must match onnxruntime-node on the same file.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { readMnist, type IdxDataset } from '../../src/data/idx.js';
import { browserSkipReason, launchBrowser } from './helpers/browser.js';
import { startServe, type ServeProcess } from './helpers/serve.js';
import { assertAgreement, browserPredictions, nodeProbabilities } from './helpers/agreement.js';

const INT8 = path.resolve('models/lenet5.int8.onnx');
/** The int8 file the web build ships beside the widget (the runtime default model's), which the demo page offers. */
const SHIPPED_INT8 = path.resolve('web/dist/lenet5.int8.onnx');
const skip =
  browserSkipReason() ?? (existsSync(INT8) ? false : `${INT8} not found (lenet-onnx export --quantize int8)`);
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

async function openDemo(browser: Awaited<ReturnType<typeof launchBrowser>>): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  await page.addInitScript('globalThis.__name = (f) => f;');
  await page.goto(server.url);
  await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') !== 'loading', null, {
    timeout: 60_000,
  });
  return { page, errors };
}

test(
  'the int8 file runs in the widget on WASM and matches onnxruntime-node within 1e-5',
  { skip, timeout: 120_000 },
  async () => {
    const browser = await launchBrowser();
    try {
      const { page, errors } = await openDemo(browser);
      assert.equal(await page.getAttribute('#main', 'state'), 'ready');
      assert.equal(await page.getAttribute('#main', 'backend-in-use'), 'wasm');
      const out = await browserPredictions(page, mnist, 50);
      assert.ok(out.every((r) => r.backend === 'wasm'));
      assertAgreement(out, await nodeProbabilities(INT8, mnist, 50), 'int8 file, wasm');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
);

test(
  'the int8 file on software WebGPU: WebGPU used when it passes the self-check, answers match onnxruntime-node',
  { skip, timeout: 120_000 },
  async (t) => {
    const browser = await launchBrowser({ softwareWebgpu: true });
    try {
      const probe = await browser.context.newPage();
      await probe.goto(server.url);
      if (!(await probe.evaluate(async () => Boolean(await (navigator as any).gpu?.requestAdapter())))) {
        assert.ok(
          process.env.LENET_REQUIRE_SYSTEM_DEPS !== '1',
          'LENET_REQUIRE_SYSTEM_DEPS=1 but this Chromium grants no software WebGPU adapter',
        );
        t.skip('this Chromium grants no software WebGPU adapter');
        return;
      }
      await probe.close();
      const { page, errors } = await openDemo(browser);
      const backend = await page.getAttribute('#main', 'backend-in-use');
      const status = await page.evaluate(
        () => document.getElementById('main')!.shadowRoot!.querySelector('.status')!.textContent ?? '',
      );
      process.stdout.write(`# int8 file with a software WebGPU adapter: ${status}\n`);
      assert.equal(backend, 'webgpu', `the int8 file should run on WebGPU: ${status}`);
      const out = await browserPredictions(page, mnist, 50);
      assert.ok(out.every((r) => r.backend === 'webgpu'));
      assertAgreement(out, await nodeProbabilities(INT8, mnist, 50), 'int8 file, webgpu');
      assert.deepEqual(errors, []);
    } finally {
      await browser.close();
    }
  },
);

test(
  'the demo page offers the float and the int8 file and says which one it loaded',
  { skip, timeout: 120_000 },
  async () => {
    const site = await startServe([]);
    const browser = await launchBrowser();
    try {
      const page = await browser.context.newPage();
      await page.goto(site.url);
      await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') === 'ready', null, {
        timeout: 60_000,
      });
      assert.match((await page.textContent('#model-loaded')) ?? '', /^loaded lenet5\.onnx on wasm$/);
      await page.selectOption('#model-choice', './lenet5.int8.onnx');
      await page.waitForFunction(
        () =>
          /int8/.test(document.getElementById('model-loaded')?.textContent ?? '') &&
          document.getElementById('main')?.getAttribute('state') === 'ready',
        null,
        { timeout: 60_000 },
      );
      assert.match((await page.textContent('#model-loaded')) ?? '', /^loaded lenet5\.int8\.onnx on wasm$/);
      const out = await browserPredictions(page, mnist, 5);
      assertAgreement(out, await nodeProbabilities(SHIPPED_INT8, mnist, 5), 'wasm');
    } finally {
      await browser.close();
      assert.equal(await site.stop(), 0);
    }
  },
);
