// End-to-end: the <lenet-digit-pad> demo page served by `lenet-onnx serve`, driven in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import { readMnist } from '../../src/data/idx.js';
import type { IdxDataset } from '../../src/data/idx.js';
import { browserSkipReason, launchBrowser } from './helpers/browser.js';
import { drawSegments, traceDigit } from './helpers/draw.js';
import { testModel } from './helpers/model.js';
import { startServe, type ServeProcess } from './helpers/serve.js';
import { assertAgreement, browserPredictions, nodeProbabilities } from './helpers/agreement.js';
import { openDemoPage, type DemoPage } from './helpers/demo-page.js';

const skip = browserSkipReason() ?? false;
let server: ServeProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let mnist: IdxDataset;

before(async () => {
  if (skip) return;
  mnist = await readMnist('test');
  server = await startServe(['--model', testModel().file]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) assert.equal(await server.stop(), 0, 'serve should exit 0 on Ctrl-C');
});

/** A page on the demo with the host's view of every widget event, and console/page errors collected. */
function openDemo(init?: () => void): Promise<DemoPage> {
  return openDemoPage(browser.context, server.url, init);
}

/** Add a widget to the page and wait until it leaves the loading state. */
async function addWidget(page: Page, id: string, attrs: Record<string, string>): Promise<string> {
  await page.evaluate(
    ({ id, attrs }) => {
      const el = document.createElement('lenet-digit-pad');
      el.id = id;
      for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
      document.body.append(el);
    },
    { id, attrs },
  );
  await page.waitForFunction((id) => document.getElementById(id)?.getAttribute('state') !== 'loading', id, {
    timeout: 30_000,
  });
  return (await page.getAttribute(`#${id}`, 'state'))!;
}

const shadowText = (page: Page, id: string, sel: string) =>
  page.evaluate(({ id, sel }) => document.getElementById(id)!.shadowRoot!.querySelector(sel)!.textContent ?? '', {
    id,
    sel,
  });

const digitPixels = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);

test(
  'demo page: ready on the backend the browser allows, digits drawn as strokes are read live, bars, events, clear',
  { skip, timeout: 120_000 },
  async () => {
    const { page, errors, events } = await openDemo();
    await page.waitForFunction(
      () => ['main', 'second'].every((id) => document.getElementById(id)?.getAttribute('state') === 'ready'),
      null,
      { timeout: 30_000 },
    );
    const hasAdapter = await page.evaluate(async () => Boolean(await (navigator as any).gpu?.requestAdapter?.()));
    const expected = hasAdapter ? 'webgpu' : 'wasm';
    assert.equal(await page.getAttribute('#main', 'backend-in-use'), expected);
    assert.match(await shadowText(page, 'main', '.status'), new RegExp(`Ready · ${expected.toUpperCase()}`, 'i'));
    const ready = (await events()).filter((e) => e.type === 'ready');
    assert.deepEqual(ready.map((e) => e.target).sort(), ['main', 'second']);
    assert.deepEqual(ready[0].detail.labels, testModel().contract.labels, "bars come from the model's labels");

    // The first 10 MNIST test digits, traced as pen strokes on the canvas.
    const N = 10;
    let correct = 0;
    let liveDuringStroke = 0;
    for (let i = 0; i < N; i++) {
      await page.evaluate(() => (document.getElementById('main') as any).clear());
      const before = (await events()).filter((e) => e.type === 'prediction').length;
      await drawSegments(page, '#main', traceDigit(digitPixels(i), 28, 28), 28, async () => {
        // Pen still down: a prediction must already have arrived (live, not only on pointer-up).
        await page.waitForFunction(
          (n) => (window as any).__events.filter((e: any) => e.type === 'prediction').length > n,
          before,
          { timeout: 10_000 },
        );
        liveDuringStroke++;
      });
      const r = await page.evaluate(() => (document.getElementById('main') as any).predict());
      assert.equal(r.ok, true);
      if (r.digit === mnist.labels[i]) correct++;
      // The bars show exactly the probabilities of the prediction, with the top digit emphasised.
      const bars = await page.evaluate(() =>
        Array.from(document.getElementById('main')!.shadowRoot!.querySelectorAll('li')).map((li) => ({
          label: li.dataset.label,
          p: Number(li.dataset.probability),
          top: li.classList.contains('top'),
          width: (li.querySelector('.fill') as HTMLElement).style.width,
        })),
      );
      assert.deepEqual(
        bars.map((b) => b.p),
        r.probabilities,
      );
      assert.deepEqual(
        bars.filter((b) => b.top).map((b) => b.label),
        [r.label],
      );
      assert.ok(
        Math.abs(parseFloat(bars[r.digit].width) - r.probabilities[r.digit] * 100) <= 0.05,
        `top bar width ${bars[r.digit].width}`,
      );
      assert.match(await shadowText(page, 'main', '.result'), new RegExp(`Looks like ${r.label}`));
      const last = (await events()).filter((e) => e.type === 'prediction' && e.target === 'main').at(-1)!;
      assert.deepEqual(last.detail.probabilities, r.probabilities);
      assert.equal(last.detail.backend, expected);
      assert.ok(last.detail.milliseconds >= 0 && last.detail.milliseconds < 1000);
    }
    assert.equal(liveDuringStroke, N);
    process.stdout.write(`# traced MNIST test digits 0..${N - 1} read correctly: ${correct} of ${N}\n`);
    assert.ok(correct >= 9, `traced MNIST digits read correctly: ${correct} of ${N}`);
    mkdirSync('test-output', { recursive: true });
    await page.screenshot({ path: 'test-output/widget-digit.png', fullPage: true });

    // Clear with the button: no bars, no digit, and asking for a prediction says there is no ink.
    await page.locator('#main').getByRole('button', { name: 'Clear' }).click();
    assert.equal(await shadowText(page, 'main', '.result'), 'Cleared');
    assert.ok((await events()).some((e) => e.type === 'clear' && e.target === 'main'));
    const blank = await page.evaluate(() => (document.getElementById('main') as any).predict());
    assert.equal(blank.ok, false);
    assert.equal(blank.reason, 'no-ink');
    assert.match(await shadowText(page, 'main', '.result'), /No digit to read: no ink found/);
    const values = await page.evaluate(() =>
      Array.from(document.getElementById('main')!.shadowRoot!.querySelectorAll('li .value')).map((v) => v.textContent),
    );
    assert.ok(
      values.every((v) => v === '–'),
      `bars after clear: ${values.join(' ')}`,
    );

    // A stroke that leaves the canvas keeps the part inside; then Escape (keyboard) clears.
    const box = (await page.locator('#main canvas').boundingBox())!;
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height * 0.8, { steps: 5 });
    await page.mouse.move(box.x + box.width * 3, box.y + box.height * 2, { steps: 5 });
    await page.mouse.up();
    assert.equal((await page.evaluate(() => (document.getElementById('main') as any).predict())).ok, true);
    await page.keyboard.press('Escape');
    assert.equal((await page.evaluate(() => (document.getElementById('main') as any).predict())).ok, false);

    // The second widget on the page works on its own.
    const mainResult = await shadowText(page, 'main', '.result');
    await drawSegments(page, '#second', traceDigit(digitPixels(2), 28, 28), 28);
    const second = await page.evaluate(() => (document.getElementById('second') as any).predict());
    assert.equal(second.digit, mnist.labels[2]);
    assert.ok((await events()).some((e) => e.type === 'prediction' && e.target === 'second'));
    assert.equal(await shadowText(page, 'main', '.result'), mainResult);

    // The host resizes the pad with a custom property: the canvas follows at device resolution and keeps the drawing.
    const inkBefore = await page.evaluate(() => (document.getElementById('second') as any).predict());
    await page.evaluate(() => document.getElementById('second')!.style.setProperty('--lenet-pad-size', '300px'));
    await page.waitForFunction(
      () =>
        document.getElementById('second')!.shadowRoot!.querySelector('canvas')!.width ===
        Math.round(300 * devicePixelRatio),
    );
    const inkAfter = await page.evaluate(() => (document.getElementById('second') as any).predict());
    assert.deepEqual(
      inkAfter.probabilities,
      inkBefore.probabilities,
      'the model reads a fixed-size copy of the drawing',
    );
    const visibleInk = await page.evaluate(() => {
      const c = document.getElementById('second')!.shadowRoot!.querySelector('canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 3; i < d.length; i += 4) if (d[i] > 0) n++;
      return n;
    });
    assert.ok(visibleInk > 1000, `strokes redrawn after the resize: ${visibleInk} pixels`);

    await page.screenshot({ path: 'test-output/widget-demo.png', fullPage: true });
    assert.deepEqual(errors, [], 'no console errors on the happy path');
    await page.close();
  },
);

test(
  'agreement with Node: 100 MNIST test images through predictImage match onnxruntime-node within 1e-5',
  { skip, timeout: 120_000 },
  async () => {
    const node = await nodeProbabilities(testModel().file, mnist, 100);
    const { page, errors } = await openDemo();
    await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') === 'ready', null, {
      timeout: 30_000,
    });
    const out = await browserPredictions(page, mnist, 100);
    assert.ok(out.every((r) => r.backend === 'wasm'));
    assertAgreement(out, node, 'browser (wasm)');
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  'with a WebGPU adapter (software): WebGPU is used only if it passes the self-check, and answers match Node',
  { skip, timeout: 120_000 },
  async (t) => {
    const gpuBrowser = await launchBrowser({ softwareWebgpu: true });
    try {
      const page = await gpuBrowser.context.newPage();
      const errors: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error') errors.push(m.text());
      });
      await page.addInitScript('globalThis.__name = (f) => f;');
      await page.goto(server.url);
      if (!(await page.evaluate(async () => Boolean(await (navigator as any).gpu?.requestAdapter())))) {
        // A Chromium build without SwiftShader's WebGPU cannot run this; the WASM path is covered above.
        // CI installs Debian's chromium, which has it: there a missing adapter is a failure, not a skip.
        assert.ok(
          process.env.LENET_REQUIRE_SYSTEM_DEPS !== '1',
          'LENET_REQUIRE_SYSTEM_DEPS=1 but this Chromium grants no software WebGPU adapter',
        );
        t.skip('this Chromium grants no software WebGPU adapter');
        return;
      }
      await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') !== 'loading', null, {
        timeout: 60_000,
      });
      const backend = await page.getAttribute('#main', 'backend-in-use');
      const status = await shadowText(page, 'main', '.status');
      process.stdout.write(`# software WebGPU adapter: ${status}\n`);
      // Either the WebGPU kernels pass the widget's self-check against WASM and run the model, or they fail it
      // and the widget says so and runs WASM; in both cases every answer must match Node's.
      if (backend === 'webgpu') assert.equal(status, 'Ready · WEBGPU');
      else
        assert.match(
          status,
          /^Ready · WASM \(WebGPU results disagree with WASM on a self-check \(max \|diff\| [\d.e+-]+\); using WASM\)$/,
        );
      const out = await browserPredictions(page, mnist, 50);
      assert.ok(out.every((r) => r.backend === backend));
      assertAgreement(
        out,
        await nodeProbabilities(testModel().file, mnist, 50),
        `browser (${backend} with a WebGPU adapter)`,
      );
      assert.deepEqual(errors, []);
      await page.close();

      // A WebGPU session that runs but answers wrongly must not be used: serve the WebGPU build wrapped so
      // that its WebGPU sessions shift every output by 0.01, and expect the self-check to refuse them.
      const broken = await gpuBrowser.context.newPage();
      await broken.addInitScript('globalThis.__name = (f) => f;');
      const realBuild = readFileSync('web/dist/ort/ort.webgpu.min.mjs');
      await broken.route('**/ort/ort.webgpu.real.mjs', (r) =>
        r.fulfill({ contentType: 'text/javascript', body: realBuild }),
      );
      await broken.route('**/ort/ort.webgpu.min.mjs', (r) =>
        r.fulfill({
          contentType: 'text/javascript',
          body: `
      import * as real from './ort.webgpu.real.mjs';
      export const env = real.env;
      export const Tensor = real.Tensor;
      export const InferenceSession = {
        async create(model, options) {
          const session = await real.InferenceSession.create(model, options);
          const onGpu = JSON.stringify(options.executionProviders).includes('webgpu');
          if (!onGpu) return session;
          return new Proxy(session, { get(target, key) {
            if (key !== 'run') { const v = target[key]; return typeof v === 'function' ? v.bind(target) : v; }
            return async (feeds) => {
              const out = await target.run(feeds);
              for (const t of Object.values(out)) { const d = await t.getData(); for (let i = 0; i < d.length; i++) d[i] += 0.01; }
              return out;
            };
          } });
        },
      };`,
        }),
      );
      await broken.goto(server.url);
      await broken.waitForFunction(() => document.getElementById('main')?.getAttribute('state') !== 'loading', null, {
        timeout: 60_000,
      });
      assert.equal(await broken.getAttribute('#main', 'backend-in-use'), 'wasm');
      assert.match(
        await shadowText(broken, 'main', '.status'),
        /^Ready · WASM \(WebGPU results disagree with WASM on a self-check \(max \|diff\| 1\.0e-2\); using WASM\)$/,
      );
      const check = await browserPredictions(broken, mnist, 5);
      assertAgreement(
        check,
        await nodeProbabilities(testModel().file, mnist, 5),
        'browser (wasm after a failed WebGPU self-check)',
      );
    } finally {
      await gpuBrowser.close();
    }
  },
);

test('backend="webgpu" without a WebGPU adapter runs on WASM and says so', { skip, timeout: 60_000 }, async () => {
  // Whatever this machine has, the page sees a WebGPU API that grants no adapter.
  const { page, events } = await openDemo(() => {
    Object.defineProperty(Navigator.prototype, 'gpu', {
      configurable: true,
      get: () => ({ requestAdapter: async () => null }),
    });
  });
  assert.equal(await addWidget(page, 'forced', { backend: 'webgpu', model: './lenet5.onnx' }), 'ready');
  assert.equal(await page.getAttribute('#forced', 'backend-in-use'), 'wasm');
  assert.match(await shadowText(page, 'forced', '.status'), /WASM \(no WebGPU adapter was granted; using WASM\)/);
  const ready = (await events()).find((e) => e.type === 'ready' && e.target === 'forced')!;
  assert.equal(ready.detail.backend, 'wasm');
  assert.equal(ready.detail.fallbackReason, 'no WebGPU adapter was granted');
  await drawSegments(page, '#forced', traceDigit(digitPixels(0), 28, 28), 28);
  const r = await page.evaluate(() => (document.getElementById('forced') as any).predict());
  assert.equal(r.backend, 'wasm');
  await page.close();
});

test('a WebGPU session that fails falls back to WASM and says why', { skip, timeout: 60_000 }, async () => {
  // An adapter that is granted but cannot make a device: the WebGPU session must fail, not the widget.
  const { page } = await openDemo(() => {
    const adapter = {
      features: new Set(),
      limits: {},
      info: {},
      requestDevice: async () => {
        throw new Error('device lost (test)');
      },
    };
    Object.defineProperty(Navigator.prototype, 'gpu', {
      configurable: true,
      get: () => ({ requestAdapter: async () => adapter, getPreferredCanvasFormat: () => 'rgba8unorm' }),
    });
  });
  assert.equal(await addWidget(page, 'failing', { backend: 'webgpu', model: './lenet5.onnx' }), 'ready');
  assert.equal(await page.getAttribute('#failing', 'backend-in-use'), 'wasm');
  assert.match(await shadowText(page, 'failing', '.status'), /WASM \(the WebGPU session failed \(.+\); using WASM\)/);
  await page.close();
});

test(
  'bad model URLs end in the error state with one clear message: 404, HTML, not ONNX',
  { skip, timeout: 60_000 },
  async () => {
    const { page, events } = await openDemo();
    await page.route('**/garbage.onnx', (route) =>
      route.fulfill({
        status: 200,
        contentType: 'application/octet-stream',
        body: Buffer.from('this is not a protobuf at all \u0000\u00ff\u00fe'),
      }),
    );
    const cases: Array<[string, string, RegExp]> = [
      ['missing', './missing.onnx', /HTTP 404/],
      ['html', './index.html', /the server sent text\/html, expected an ONNX file/],
      ['garbage', './garbage.onnx', /garbage.onnx'.*give an .onnx file written by 'lenet-onnx export'/],
    ];
    for (const [id, model, message] of cases) {
      assert.equal(await addWidget(page, id, { model }), 'error', id);
      assert.match(await shadowText(page, id, '.status'), message, id);
      const ev = (await events()).find((e) => e.type === 'error' && e.target === id);
      assert.ok(ev, `${id}: error event on the host page`);
      assert.match(ev.detail.message, message);
      const rejected = await page.evaluate(
        (id) =>
          (document.getElementById(id) as any).predictImage(new ImageData(28, 28)).then(
            () => 'resolved',
            (e: Error) => e.message,
          ),
        id,
      );
      assert.match(rejected, message, `${id}: predictImage rejects with the load error`);
    }
    // An unknown backend is not fatal: it runs as auto and the status says what was wrong.
    assert.equal(await addWidget(page, 'typo', { backend: 'gpu-please', model: './lenet5.onnx' }), 'ready');
    assert.match(
      await shadowText(page, 'typo', '.status'),
      /backend 'gpu-please' is unknown, used auto \(valid: auto, webgpu, wasm\)/,
    );
    await page.close();
  },
);

test(
  'a runtime of another onnxruntime-web version than the one built with is refused',
  { skip, timeout: 60_000 },
  async () => {
    const page = await browser.context.newPage();
    await page.addInitScript('globalThis.__name = (f) => f;');
    const realBuild = readFileSync('web/dist/ort/ort.wasm.min.mjs');
    const builtFor = JSON.parse(readFileSync('node_modules/onnxruntime-web/package.json', 'utf8')).version;
    await page.route('**/ort/ort.wasm.real.mjs', (r) => r.fulfill({ contentType: 'text/javascript', body: realBuild }));
    await page.route('**/ort/ort.wasm.min.mjs', (r) =>
      r.fulfill({
        contentType: 'text/javascript',
        body: `
    import * as real from './ort.wasm.real.mjs';
    export const env = new Proxy(real.env, {
      get: (t, k) => (k === 'versions' ? { ...t.versions, web: '0.0.1' } : t[k]),
      set: (t, k, v) => { t[k] = v; return true; },
    });
    export const Tensor = real.Tensor;
    export const InferenceSession = real.InferenceSession;`,
      }),
    );
    await page.goto(server.url);
    await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') !== 'loading', null, {
      timeout: 30_000,
    });
    assert.equal(await page.getAttribute('#main', 'state'), 'error');
    assert.match(
      await shadowText(page, 'main', '.status'),
      new RegExp(
        `onnxruntime-web 0\\.0\\.1 was loaded from .*/ort/ort\\.wasm\\.min\\.mjs, but this widget was built for ${builtFor.replace(/\./g, '\\.')}`,
      ),
    );
    await page.close();
  },
);

test(
  'finger and pen strokes draw like the mouse (pointer events of every type)',
  { skip, timeout: 60_000 },
  async () => {
    const { page, errors } = await openDemo();
    await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') === 'ready', null, {
      timeout: 30_000,
    });
    await page.evaluate(() => {
      (window as any).__pointerTypes = [];
      document
        .getElementById('main')!
        .shadowRoot!.querySelector('canvas')!
        .addEventListener('pointermove', (e) => (window as any).__pointerTypes.push(e.pointerType));
    });
    const box = (await page.locator('#main canvas').boundingBox())!;
    const at = (fx: number, fy: number) => ({ x: box.x + box.width * fx, y: box.y + box.height * fy });
    const cdp = await browser.context.newCDPSession(page);
    // A vertical stroke with a finger.
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: [at(0.5, 0.15)] });
    for (let i = 1; i <= 12; i++)
      await cdp.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: [at(0.5, 0.15 + 0.058 * i)] });
    await cdp.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const touch = await page.evaluate(() => (document.getElementById('main') as any).predict());
    assert.equal(touch.ok, true);
    assert.equal(touch.digit, 1, 'a vertical finger stroke reads as 1');
    // A horizontal stroke with a pen across the top turns it into something else.
    await cdp.send('Input.dispatchMouseEvent', {
      type: 'mousePressed',
      pointerType: 'pen',
      button: 'left',
      clickCount: 1,
      ...at(0.2, 0.15),
    });
    for (let i = 1; i <= 8; i++)
      await cdp.send('Input.dispatchMouseEvent', {
        type: 'mouseMoved',
        pointerType: 'pen',
        button: 'left',
        buttons: 1,
        ...at(0.2 + 0.0375 * i, 0.15),
      });
    await cdp.send('Input.dispatchMouseEvent', {
      type: 'mouseReleased',
      pointerType: 'pen',
      button: 'left',
      clickCount: 1,
      ...at(0.5, 0.15),
    });
    const pen = await page.evaluate(() => (document.getElementById('main') as any).predict());
    assert.equal(pen.ok, true);
    assert.notDeepEqual(pen.probabilities, touch.probabilities, 'the pen stroke added ink');
    const types = await page.evaluate(() => [...new Set((window as any).__pointerTypes)].sort());
    assert.deepEqual(types, ['pen', 'touch']);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test('predictImage on a blank picture reports no ink and does not guess', { skip, timeout: 60_000 }, async () => {
  const { page, events } = await openDemo();
  await page.waitForFunction(() => document.getElementById('main')?.getAttribute('state') === 'ready', null, {
    timeout: 30_000,
  });
  const before = (await events()).filter((e) => e.type === 'prediction').length;
  const r = await page.evaluate(() => {
    const img = new ImageData(64, 48);
    img.data.fill(255);
    return (document.getElementById('main') as any).predictImage(img);
  });
  assert.deepEqual([r.ok, r.reason], [false, 'no-ink']);
  assert.match(await shadowText(page, 'main', '.result'), /No digit to read/);
  assert.equal((await events()).filter((e) => e.type === 'prediction').length, before);
  // A picture whose bytes do not match its size is refused with the reason, not read.
  const bad = await page.evaluate(() =>
    (document.getElementById('main') as any)
      .predictImage({ width: 28, height: 28, data: new Uint8ClampedArray(100) })
      .then(
        () => 'resolved',
        (e: Error) => `${e.name}: ${e.message}`,
      ),
  );
  assert.match(bad, /RangeError: rgbaToGray: expected 28x28x4 = 3136 bytes, got 100/);
  await page.close();
});
