// End-to-end: <lenet-digit-pad mode="number"> and mode="expression" on the demo page, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { PNG } from 'pngjs';
import { readMnist, type IdxDataset } from '../../src/data/idx.js';
import { contractFromMetadata, inputShape, type InputContract } from '../../src/runtime/contract.js';
import { readOnnxInfo } from '../../src/onnx/info.js';
import { preprocess } from '../../src/runtime/preprocess.js';
import { runCli } from '../helpers/cli.js';
import { browserSkipReason, launchBrowser } from './helpers/browser.js';
import { composeLine, drawSegmentsOnLine, operatorGlyph, traceDigit, type LinePicture } from './helpers/draw.js';
import { testModel } from './helpers/model.js';
import { startServe, type ServeProcess } from './helpers/serve.js';
import { seededRandom as seeded } from '../../src/train/data/rng.js';
import { openDemoPage, type DemoPage } from './helpers/demo-page.js';

const skip = browserSkipReason() ?? false;
// The demo's expression pad reads with the arithmetic model the web build ships.
const ARITHMETIC = 'web/dist/arithmetic.onnx';
const arithmeticSkip =
  skip ||
  (existsSync(ARITHMETIC)
    ? false
    : `${ARITHMETIC} not found: build models/arithmetic.onnx (npm run models) and run node web/build.mjs`);
if (!skip && arithmeticSkip) process.stdout.write(`# skipping the expression test: ${arithmeticSkip}\n`);

let server: ServeProcess;
let browser: Awaited<ReturnType<typeof launchBrowser>>;
let mnist: IdxDataset;
let tmp: string;

before(async () => {
  if (skip) return;
  mnist = await readMnist('test');
  tmp = mkdtempSync(path.join(tmpdir(), 'lenet-number-mode-'));
  server = await startServe(['--model', testModel().file]);
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  if (server) assert.equal(await server.stop(), 0, 'serve should exit 0 on Ctrl-C');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const digitPixels = (i: number) => mnist.images.subarray(i * 784, (i + 1) * 784);

/** onnxruntime-node on one model file, for choosing MNIST digits the model itself reads confidently. */
async function nodeReader(file: string): Promise<{
  contract: InputContract;
  read(i: number): Promise<{ label: string; p: number }>;
  close(): Promise<void>;
}> {
  const ort = await import('onnxruntime-node');
  const contract = contractFromMetadata(readOnnxInfo(new Uint8Array(readFileSync(file))).metadata);
  const session = await ort.InferenceSession.create(file);
  return {
    contract,
    async read(i) {
      const pre = preprocess({ width: 28, height: 28, data: digitPixels(i) }, contract);
      assert.ok(pre.ok);
      const dims = inputShape(contract, 1);
      const out = (await session.run({ [contract.inputName]: new ort.Tensor('float32', pre.input, dims) }))[
        contract.outputName
      ].data as Float32Array;
      let k = 0;
      for (let j = 1; j < out.length; j++) if (out[j] > out[k]) k = j;
      return { label: contract.labels[k], p: out[k] };
    },
    close: () => session.release(),
  };
}

/** Ink no wider than tall: a lone character as the line reader expects one (it may cut a wider glyph in two). */
function notWide(pixels: Uint8Array): boolean {
  let x0 = 28,
    x1 = -1,
    y0 = 28,
    y1 = -1;
  for (let y = 0; y < 28; y++) {
    for (let x = 0; x < 28; x++) {
      if (pixels[y * 28 + x] < 128) continue;
      x0 = Math.min(x0, x);
      x1 = Math.max(x1, x);
      y0 = Math.min(y0, y);
      y1 = Math.max(y1, y);
    }
  }
  return x1 - x0 <= y1 - y0;
}

/**
 * The seeded rule for which MNIST test image stands for a digit: start at a seeded index and take the first
 * image of that digit that is no wider than tall and that the model reads as that digit with at least 0.9,
 * so a line test measures the line reader and the widget, not the few MNIST digits the network gets wrong
 * on their own, nor the sprawling ones a person would not write in a row of characters.
 */
async function pickImage(
  rng: () => number,
  digit: number,
  reader: Awaited<ReturnType<typeof nodeReader>>,
): Promise<number> {
  const n = mnist.labels.length;
  const start = Math.floor(rng() * n);
  for (let k = 0; k < n; k++) {
    const i = (start + k) % n;
    if (mnist.labels[i] !== digit || !notWide(digitPixels(i))) continue;
    const r = await reader.read(i);
    if (r.label === String(digit) && r.p >= 0.9) return i;
  }
  throw new Error(`no MNIST test image of ${digit} is read confidently`);
}

/** The pictures of a text of digits (and operators), glyph by glyph, by the seeded rule. */
async function glyphsFor(
  text: string,
  rng: () => number,
  reader: Awaited<ReturnType<typeof nodeReader>>,
): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  for (const ch of text) {
    if (ch >= '0' && ch <= '9') out.push(digitPixels(await pickImage(rng, Number(ch), reader)));
    else out.push(operatorGlyph(ch as '+' | '-' | '×' | '÷' | '='));
  }
  return out;
}

function openDemo(): Promise<DemoPage> {
  return openDemoPage(browser.context, server.url);
}

/** Scroll a lazy pad into view and wait for its model. */
async function showPad(page: Page, id: string): Promise<void> {
  await page.locator(`#${id} canvas`).scrollIntoViewIfNeeded();
  await page.waitForFunction((id) => document.getElementById(id)?.getAttribute('state') === 'ready', id, {
    timeout: 30_000,
  });
}

const shadowText = (page: Page, id: string, sel: string) =>
  page.evaluate(({ id, sel }) => document.getElementById(id)!.shadowRoot!.querySelector(sel)!.textContent ?? '', {
    id,
    sel,
  });

const predictionCount = (page: Page, id: string) =>
  page.evaluate(
    (id) => (window as any).__events.filter((e: any) => e.type === 'prediction' && e.target === id).length as number,
    id,
  );

/** Write `picture` on pad `id` as pen strokes, checking that a reading arrives while the pen is still down. */
async function writeOnPad(page: Page, id: string, picture: LinePicture): Promise<void> {
  await page.evaluate((id) => (document.getElementById(id) as any).clear(), id);
  const before = await predictionCount(page, id);
  await drawSegmentsOnLine(
    page,
    `#${id}`,
    traceDigit(picture.data, picture.width, picture.height),
    picture.width,
    picture.height,
    async () => {
      await page.waitForFunction(
        ({ id, n }) =>
          (window as any).__events.filter((e: any) => e.type === 'prediction' && e.target === id).length > n,
        { id, n: before },
        { timeout: 10_000 },
      );
    },
  );
}

/** A gray picture as a canvas's RGBA bytes, as plain numbers for page.evaluate. */
function rgbaOf(p: LinePicture): number[] {
  const out = new Array<number>(p.width * p.height * 4);
  for (let i = 0; i < p.width * p.height; i++) {
    out[4 * i] = out[4 * i + 1] = out[4 * i + 2] = p.data[i];
    out[4 * i + 3] = 255;
  }
  return out;
}

function assertShape(d: any, mode: string): void {
  assert.equal(d.ok, true);
  assert.equal(d.mode, mode);
  assert.equal(typeof d.text, 'string');
  assert.ok(d.confidence > 0 && d.confidence <= 1);
  assert.deepEqual(
    d.size,
    { width: 448, height: 112 },
    "boxes are in the pixels of the 4:1 ink canvas, 112 high like the digit pad's",
  );
  assert.equal(d.digits.map((c: any) => c.digit).join(''), d.text);
  let right = -Infinity;
  for (const c of d.digits) {
    assert.deepEqual(Object.keys(c).sort(), ['box', 'digit', 'edge', 'probability']);
    assert.deepEqual(Object.keys(c.box).sort(), ['height', 'width', 'x', 'y']);
    assert.ok(
      c.box.x >= 0 && c.box.y >= 0 && c.box.x + c.box.width <= 448 && c.box.y + c.box.height <= 112,
      JSON.stringify(c.box),
    );
    assert.ok(c.box.x + c.box.width / 2 > right, 'characters left to right');
    right = c.box.x + c.box.width / 2;
    assert.equal(typeof c.edge, 'boolean');
    assert.ok(c.probability >= d.confidence);
  }
  assert.ok(['wasm', 'webgpu'].includes(d.backend));
  assert.ok(d.milliseconds >= 0);
  assert.ok(Array.isArray(d.decisions));
}

test(
  'number mode: numbers written as strokes traced from MNIST digits are read live and exactly',
  { skip, timeout: 300_000 },
  async () => {
    const reader = await nodeReader(testModel().file);
    const rng = seeded(20261130);
    const numbers: Array<{ text: string; picture: LinePicture }> = [];
    for (let k = 0; k < 6; k++) {
      const length = 3 + (k % 4);
      let text = '';
      for (let j = 0; j < length; j++) text += String(Math.floor(rng() * 10));
      numbers.push({ text, picture: composeLine(await glyphsFor(text, rng, reader)) });
    }
    await reader.close();

    const { page, errors, events } = await openDemo();
    await showPad(page, 'number');
    assert.equal(await page.evaluate(() => (document.getElementById('number') as any).mode), 'number');
    const size = await page.evaluate(() => {
      const c = document.getElementById('number')!.shadowRoot!.querySelector('canvas')!;
      return { w: c.clientWidth, h: c.clientHeight };
    });
    assert.equal(size.w, 4 * size.h, 'a 4:1 pad');

    const misread: string[] = [];
    for (const { text, picture } of numbers) {
      await writeOnPad(page, 'number', picture);
      const r = await page.evaluate(() => (document.getElementById('number') as any).predict());
      assertShape(r, 'number');
      if (r.text !== text) misread.push(`${text} read as ${r.text} (${r.decisions.join('; ')})`);
      const last = (await events()).filter((e) => e.type === 'prediction' && e.target === 'number').at(-1)!;
      assertShape(last.detail, 'number');
      assert.equal(last.detail.text, r.text);
      assert.deepEqual(last.detail.digits, r.digits);
      assert.match(
        await shadowText(page, 'number', '.result'),
        new RegExp(`^Reads ${r.text} \\(least sure: [\\d.]+%\\)$`),
      );
    }
    process.stdout.write(`# numbers written on the pad: ${numbers.map((n) => n.text).join(' ')}\n`);
    assert.deepEqual(misread, [], 'every number read exactly');

    // The reading is drawn over the ink: accent-coloured box pixels besides the ink.
    const accentPixels = await page.evaluate(() => {
      const c = document.getElementById('number')!.shadowRoot!.querySelector('canvas')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 2] > 180 && d[i] < 100 && d[i + 3] > 0) n++;
      return n;
    });
    assert.ok(accentPixels > 200, `boxes and tags drawn over the ink: ${accentPixels} accent pixels`);
    mkdirSync('test-output', { recursive: true });
    await page.locator('#number').screenshot({ path: 'test-output/widget-number.png' });

    // The digit pad above it is untouched by the number pad's work.
    assert.equal((await events()).filter((e) => e.type === 'prediction' && e.target === 'main').length, 0);
    // Clear wipes the reading too.
    await page.keyboard.press('Escape');
    const blank = await page.evaluate(() => (document.getElementById('number') as any).predict());
    assert.deepEqual([blank.ok, blank.reason], [false, 'no-ink']);
    assert.match(await shadowText(page, 'number', '.result'), /^Nothing to read: no ink found/);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  'number mode: readImage of a photo file stored sideways (EXIF orientation 6) reads it upright, as the CLI does',
  { skip, timeout: 180_000 },
  async () => {
    const reader = await nodeReader(testModel().file);
    const line = composeLine(await glyphsFor('40719', seeded(7), reader), { gap: 6 });
    await reader.close();
    const upright = Buffer.alloc(line.width * line.height);
    for (let i = 0; i < upright.length; i++) upright[i] = 255 - line.data[i];
    // stored turned a quarter left, tagged "turn a quarter right to show": what a phone held sideways writes
    const { default: sharp } = await import('sharp');
    // twice MNIST's scale, as a scan or a photo would be (sharp rotates before it resizes: two steps)
    const big = await sharp(upright, { raw: { width: line.width, height: line.height, channels: 1 } })
      .resize(line.width * 2, line.height * 2, { kernel: 'nearest' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const scan = () =>
      sharp(big.data, { raw: { width: big.info.width, height: big.info.height, channels: big.info.channels } });
    const photo = await scan().rotate(270).jpeg({ quality: 95 }).withMetadata({ orientation: 6 }).toBuffer();
    const reference = path.join(tmp, 'upright.jpg');
    writeFileSync(reference, await scan().jpeg({ quality: 95 }).toBuffer());
    const want = JSON.parse(
      (await runCli('read', reference, '--format', 'json', '--model', testModel().file, '--workers', '1')).stdout,
    )[0].text;
    assert.equal(want, '40719', 'the same photo stored upright reads');
    const file = path.join(tmp, 'sideways.jpg');
    writeFileSync(file, photo);
    const cli = await runCli('read', file, '--format', 'json', '--model', testModel().file, '--workers', '1');
    assert.equal(cli.code, 0, cli.stderr);
    assert.equal(JSON.parse(cli.stdout)[0].text, '40719', 'the CLI reads the photo upright');
    const { page, errors } = await openDemo();
    await showPad(page, 'number');
    const got = await page.evaluate(
      (bytes) =>
        (document.getElementById('number') as any).readImage(new Blob([new Uint8Array(bytes)], { type: 'image/jpeg' })),
      [...photo],
    );
    assert.equal(got.text, '40719', `the widget reads the photo upright: ${JSON.stringify(got)}`);
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  'number mode: readImage gives the row `lenet-onnx read --format json` gives for the same picture as PNG',
  { skip, timeout: 180_000 },
  async () => {
    const reader = await nodeReader(testModel().file);
    const rng = seeded(7);
    const line = composeLine(await glyphsFor('40719', rng, reader), { gap: 6 });
    await reader.close();
    // Dark ink on light paper, twice MNIST's scale: a scan rather than the pad's own white-on-black copy.
    const scan: LinePicture = {
      width: line.width * 2,
      height: line.height * 2,
      data: new Uint8Array(line.width * line.height * 4),
    };
    for (let y = 0; y < scan.height; y++) {
      for (let x = 0; x < scan.width; x++)
        scan.data[y * scan.width + x] = 255 - line.data[(y >> 1) * line.width + (x >> 1)];
    }
    const blank: LinePicture = { width: 200, height: 50, data: new Uint8Array(200 * 50).fill(255) };

    const { page, errors } = await openDemo();
    await showPad(page, 'number');
    for (const [name, picture] of [
      ['scan', scan],
      ['blank', blank],
    ] as const) {
      const file = path.join(tmp, `${name}.png`);
      const png = new PNG({ width: picture.width, height: picture.height });
      png.data = Buffer.from(rgbaOf(picture));
      writeFileSync(file, PNG.sync.write(png, { colorType: 0 }));
      const cli = await runCli('read', file, '--format', 'json', '--model', testModel().file, '--workers', '1');
      assert.equal(cli.code, name === 'blank' ? 1 : 0, cli.stderr);
      const [row] = JSON.parse(cli.stdout);
      const got = await page.evaluate(
        ({ w, h, rgba }) => {
          const img = new ImageData(new Uint8ClampedArray(rgba), w, h);
          return (document.getElementById('number') as any).readImage(img);
        },
        { w: picture.width, h: picture.height, rgba: rgbaOf(picture) },
      );
      assert.deepEqual(Object.keys(got).sort(), Object.keys(row).sort(), 'the fields of a read row');
      assert.equal(got.path, null);
      assert.equal(got.text, row.text, name);
      assert.equal(got.error, row.error, name);
      assert.equal(got.digits.length, row.digits.length);
      for (let i = 0; i < row.digits.length; i++) {
        assert.deepEqual(
          { ...got.digits[i], probability: 0 },
          { ...row.digits[i], probability: 0 },
          `${name}: character ${i}`,
        );
        assert.ok(
          Math.abs(got.digits[i].probability - row.digits[i].probability) <= 1e-5,
          `${name}: character ${i} probability`,
        );
      }
      if (row.confidence === null) assert.equal(got.confidence, null);
      else assert.ok(Math.abs(got.confidence - row.confidence) <= 1e-5);
      if (name === 'scan') assert.equal(got.text, '40719');
      else assert.match(got.error, /no ink/);
    }
    // readImage leaves the pad alone: nothing drawn, nothing announced.
    assert.equal(await shadowText(page, 'number', '.result'), '');
    assert.deepEqual(errors, []);
    await page.close();
  },
);

test(
  'expression mode: sums written on the pad give their text and exact value',
  { skip: arithmeticSkip, timeout: 300_000 },
  async () => {
    const reader = await nodeReader(ARITHMETIC);
    const rng = seeded(12);
    const cases: Array<{ text: string; value?: string; error?: RegExp }> = [
      { text: '12+7=', value: '19' },
      { text: '8×3=', value: '24' },
      { text: '96-41=', value: '55' },
      { text: '7÷4=', value: '1.75' },
      { text: '5+6×2', value: '17' },
      { text: '7+=', error: /ends with '\+'/ },
    ];
    const pictures = [];
    for (const c of cases) pictures.push(composeLine(await glyphsFor(c.text, rng, reader), { gap: 5 }));
    await reader.close();

    const { page, errors, events } = await openDemo();
    await showPad(page, 'expression');
    const ready = (await events()).find((e) => e.type === 'ready' && e.target === 'expression')!;
    assert.ok(ready.detail.labels.includes('='), 'the expression pad runs a model that knows the operators');
    const wrong: string[] = [];
    for (let k = 0; k < cases.length; k++) {
      const c = cases[k];
      await writeOnPad(page, 'expression', pictures[k]);
      const r = await page.evaluate(() => (document.getElementById('expression') as any).predict());
      assertShape(r, 'expression');
      const last = (await events()).filter((e) => e.type === 'prediction' && e.target === 'expression').at(-1)!;
      assert.deepEqual(
        [last.detail.text, last.detail.value, last.detail.expression_error],
        [r.text, r.value, r.expression_error],
      );
      const shown = await shadowText(page, 'expression', '.result');
      if (r.text !== c.text) {
        wrong.push(`${c.text} read as ${r.text} (${r.decisions.join('; ')})`);
        continue;
      }
      if (c.value !== undefined) {
        assert.equal(r.value?.decimal, c.value, c.text);
        assert.equal(r.expression_error, undefined);
        assert.equal(shown, `${c.text}${c.text.endsWith('=') ? ' ' : ' = '}${c.value}`);
      } else {
        assert.equal(r.value, undefined);
        assert.match(r.expression_error, c.error!);
        assert.equal(shown, `${c.text}: ${r.expression_error}`);
      }
    }
    assert.deepEqual(wrong, [], 'every expression read exactly');
    mkdirSync('test-output', { recursive: true });
    await page.locator('#expression').screenshot({ path: 'test-output/widget-expression.png' });
    assert.deepEqual(errors, []);
    await page.close();
  },
);
