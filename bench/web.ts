// Browser benchmark of the widget: bytes a host page downloads, load-to-first-prediction and per-prediction
// latency on WASM, in the same headless Chromium the tests use, against the project's own static server.
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import Fastify from 'fastify';
import { registerStaticSite } from '../src/server/static-site.js';
import { MODEL_URL_PATH, packageRoot, webDistDir } from '../src/server/paths.js';
import { inputShape } from '../src/runtime/contract.js';
import { readMnist } from '../src/data/idx.js';
import type { BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from '../test/web/helpers/browser.js';
import { testModel } from '../test/web/helpers/model.js';
import { median, quantile } from './stats.js';

/** The widget's files as `serve` serves them (same headers, precompressed siblings), with extra pages. */
async function staticServer(
  root: string,
  overrides: Record<string, string>,
): Promise<{ url: string; close(): Promise<void> }> {
  const app = Fastify();
  await registerStaticSite(app, { root, overrides });
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  return { url: address + '/', close: () => app.close() };
}

/** One file of the built widget: bytes on disk and as served gzip-compressed. */
export interface FileSize {
  file: string;
  bytes: number;
  gzipBytes: number | null;
  /** Which page loads it: every page (wasm) or only pages granted a WebGPU adapter. */
  loadedBy: 'every page' | 'webgpu only' | 'not loaded';
}

/** Figures of {@link benchWeb}; times in milliseconds. */
export interface WebBenchResult {
  files: FileSize[];
  /** Navigation start -> first prediction done, each run in a fresh browser profile (cold caches). */
  coldLoadMs: number[];
  /**
   * The same for bench/web-reference.html: onnxruntime-web alone (every file preloaded by the HTML, one session,
   * one prediction), run in alternation with the widget's cold loads: the floor the runtime sets on this machine.
   */
  referenceColdLoadMs: number[];
  /** The same for the demo page with backend="wasm" instead of "auto": the cost of asking for a WebGPU adapter first. */
  wasmBackendColdLoadMs: number[];
  /**
   * CPU time of the page's renderer process up to its first prediction, for the same cold runs (demo page, reference,
   * backend="wasm"): the work each page costs, which other load on the machine stretches less than it does wall time.
   */
  coldCpuMs: { widget: number[]; reference: number[]; wasmBackend: number[] };
  /** The same after a reload in the same profile (HTTP and compiled-wasm caches warm). */
  warmLoadMs: number[];
  /** Navigation start -> `ready`, cold, for the breakdown. */
  coldReadyMs: number[];
  /** Cold runs: navigation start -> each of the widget's performance marks (model fetched, runtime imported, ...). */
  coldMarksMs: Record<string, number[]>;
  /** `predictImage` on MNIST test images: preprocessing + inference, as the widget reports it. */
  predictImageMs: number[];
  /** `predict()` of a drawing on the pad: canvas read-back + preprocessing + inference. */
  padPredictMs: number[];
  /** Bytes the page actually fetched, as the browser's resource timing reports them (encoded body sizes). */
  fetchedBytes: Record<string, number>;
  backend: string;
  /** 1-minute load average of the machine when the runs started: other work on the same cores inflates the times. */
  loadAverage: number;
}

async function fileSizes(root: string): Promise<FileSize[]> {
  const wasmPath = new Set([
    'index.html',
    'lenet-digit-pad.js',
    'lenet5.onnx',
    'ort/ort.wasm.min.mjs',
    'ort/ort-wasm-simd-threaded.mjs',
    'ort/ort-wasm-simd-threaded.wasm',
  ]);
  const webgpuPath = new Set([
    'ort/ort.webgpu.min.mjs',
    'ort/ort-wasm-simd-threaded.asyncify.mjs',
    'ort/ort-wasm-simd-threaded.asyncify.wasm',
  ]);
  const out: FileSize[] = [];
  async function walk(dir: string): Promise<void> {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        await walk(p);
        continue;
      }
      if (e.name.endsWith('.gz') || e.name.endsWith('.map')) continue;
      const rel = path.relative(root, p).split(path.sep).join('/');
      const gz = await fs.stat(p + '.gz').then(
        (s) => s.size,
        () => null,
      );
      out.push({
        file: rel,
        bytes: (await fs.stat(p)).size,
        gzipBytes: gz,
        loadedBy: wasmPath.has(rel) ? 'every page' : webgpuPath.has(rel) ? 'webgpu only' : 'not loaded',
      });
    }
  }
  await walk(root);
  return out.sort((a, b) => a.file.localeCompare(b.file));
}

/** Init script: on the first `ready`, predict one MNIST digit and record when it is done (ms since navigation). */
const FIRST_PREDICTION_PROBE = (digit: number[]) => `
  globalThis.__name = (f) => f;
  document.addEventListener('ready', async (e) => {
    if (globalThis.__firstPrediction !== undefined || e.target.id !== 'main') return;
    globalThis.__readyAt = performance.now();
    const img = new ImageData(28, 28);
    const px = ${JSON.stringify(digit)};
    for (let p = 0; p < 784; p++) img.data.set([px[p], px[p], px[p], 255], p * 4);
    const r = await e.target.predictImage(img);
    globalThis.__firstPrediction = { at: performance.now(), ok: r.ok, backend: r.backend };
  });`;

const REFERENCE_URL_PATH = '/bench-reference.html';
/** The demo page with every widget set to backend="wasm": no WebGPU adapter request before the download. */
const WASM_DEMO_URL_PATH = '/bench-demo-wasm.html';

/** A copy of the built demo page whose widgets ask for WASM outright, in a temp file. */
async function wasmDemoPage(root: string): Promise<string> {
  const html = await fs.readFile(path.join(root, 'index.html'), 'utf8');
  const wasm = html.replace(
    /<lenet-digit-pad ([^>]*)>/g,
    (_, attrs: string) => `<lenet-digit-pad backend="wasm" ${attrs.replace(/\s*backend="[^"]*"/g, '')}>`,
  );
  if ((wasm.match(/backend="wasm"/g) ?? []).length !== (html.match(/<lenet-digit-pad /g) ?? []).length) {
    throw new Error('bench:web: could not set backend="wasm" on every widget of the demo page');
  }
  const file = path.join(await fs.mkdtemp(path.join(os.tmpdir(), 'lenet-bench-web-')), 'demo-wasm.html');
  await fs.writeFile(file, wasm);
  return file;
}

/** Reads the renderer's CPU time (ms) through the DevTools protocol; opened before the page navigates. */
async function rendererCpu(context: BrowserContext, page: Page): Promise<() => Promise<number>> {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Performance.enable');
  return async () => {
    const { metrics } = await cdp.send('Performance.getMetrics');
    return (metrics.find((m) => m.name === 'ProcessTime')?.value ?? NaN) * 1000;
  };
}

/**
 * One cold load of `url` in a fresh profile: navigation start -> the page's first prediction, ms, and the
 * renderer's CPU time by then. The reference page records it itself; widget pages need `probe`
 * ({@link FIRST_PREDICTION_PROBE}).
 */
async function coldFirstPrediction(url: string, probe?: string): Promise<{ at: number; cpu: number }> {
  const browser = await launchBrowser();
  try {
    const page = await browser.context.newPage();
    if (probe) await page.addInitScript(probe);
    const cpu = await rendererCpu(browser.context, page);
    await page.goto(url);
    await page.waitForFunction(() => (globalThis as any).__firstPrediction !== undefined, null, { timeout: 60_000 });
    return { at: await page.evaluate(() => (globalThis as any).__firstPrediction.at as number), cpu: await cpu() };
  } finally {
    await browser.close();
  }
}

/**
 * Measure the widget in headless Chromium on WASM (`backend` as the demo page sets it; headless Chromium
 * grants no WebGPU adapter).
 * @param o.coldRuns fresh-profile page loads; o.warmRuns reloads; o.predictions images per latency series.
 */
export async function benchWeb(
  o: { coldRuns?: number; warmRuns?: number; predictions?: number; log?: (l: string) => void } = {},
): Promise<WebBenchResult> {
  const log = o.log ?? ((l: string) => process.stdout.write(l + '\n'));
  const coldRuns = o.coldRuns ?? (process.env.LENET_BENCH_FULL === '1' ? 15 : 5),
    warmRuns = o.warmRuns ?? 5,
    n = o.predictions ?? 200;
  const root = webDistDir();
  const { file: model, contract } = testModel();
  const mnist = await readMnist('test');
  const digit = Array.from(mnist.images.subarray(0, 784));
  const wasmDemo = await wasmDemoPage(root);
  const server = await staticServer(root, {
    [MODEL_URL_PATH]: model,
    [REFERENCE_URL_PATH]: path.join(packageRoot(), 'bench', 'web-reference.html'),
    [WASM_DEMO_URL_PATH]: wasmDemo,
  });
  const referenceUrl = `${server.url}${REFERENCE_URL_PATH.slice(1)}?dims=${inputShape(contract, 1).join(',')}`;
  const result: WebBenchResult = {
    files: await fileSizes(root),
    coldLoadMs: [],
    referenceColdLoadMs: [],
    wasmBackendColdLoadMs: [],
    coldCpuMs: { widget: [], reference: [], wasmBackend: [] },
    warmLoadMs: [],
    coldReadyMs: [],
    coldMarksMs: {},
    predictImageMs: [],
    padPredictMs: [],
    fetchedBytes: {},
    backend: '',
    loadAverage: os.loadavg()[0],
  };
  try {
    for (let run = 0; run < coldRuns; run++) {
      const reference = await coldFirstPrediction(referenceUrl);
      result.referenceColdLoadMs.push(reference.at);
      result.coldCpuMs.reference.push(reference.cpu);
      const wasmBackend = await coldFirstPrediction(
        `${server.url}${WASM_DEMO_URL_PATH.slice(1)}`,
        FIRST_PREDICTION_PROBE(digit),
      );
      result.wasmBackendColdLoadMs.push(wasmBackend.at);
      result.coldCpuMs.wasmBackend.push(wasmBackend.cpu);
      const browser = await launchBrowser();
      try {
        const page = await browser.context.newPage();
        await page.addInitScript(FIRST_PREDICTION_PROBE(digit));
        const cpu = await rendererCpu(browser.context, page);
        const loads = run === 0 ? 1 + warmRuns : 1;
        for (let l = 0; l < loads; l++) {
          if (l === 0) await page.goto(server.url);
          else await page.reload();
          await page.waitForFunction(() => (globalThis as any).__firstPrediction !== undefined, null, {
            timeout: 60_000,
          });
          const first = await page.evaluate(() => ({
            ...(globalThis as any).__firstPrediction,
            ready: (globalThis as any).__readyAt,
          }));
          if (!first.ok) throw new Error('first prediction found no ink');
          result.backend = first.backend;
          if (l === 0) {
            result.coldLoadMs.push(first.at);
            result.coldCpuMs.widget.push(await cpu());
            result.coldReadyMs.push(first.ready);
            const marks: Array<[string, number]> = await page.evaluate(() =>
              performance
                .getEntriesByType('mark')
                .filter((m) => m.name.startsWith('lenet:'))
                .map((m) => [m.name.slice(6), m.startTime] as [string, number]),
            );
            for (const [name, at] of marks) (result.coldMarksMs[name] ??= []).push(at);
          } else {
            result.warmLoadMs.push(first.at);
          }
          if (run === 0 && l === 0) {
            result.fetchedBytes = await page.evaluate(() =>
              Object.fromEntries(
                (performance.getEntriesByType('resource') as PerformanceResourceTiming[]).map((r) => [
                  new URL(r.name).pathname,
                  r.encodedBodySize,
                ]),
              ),
            );
          }
        }
        if (run === 0) {
          const images = Array.from(mnist.images.subarray(0, Math.min(n, 1000) * 784));
          result.predictImageMs = await page.evaluate(
            async ({ images, n }) => {
              const el = document.getElementById('main') as any;
              const times: number[] = [];
              for (let i = 0; i < n; i++) {
                const img = new ImageData(28, 28);
                const k = i % (images.length / 784);
                for (let p = 0; p < 784; p++) {
                  const v = images[k * 784 + p];
                  img.data.set([v, v, v, 255], p * 4);
                }
                times.push((await el.predictImage(img)).milliseconds);
              }
              return times;
            },
            { images, n },
          );
          // A drawn stroke on the pad, predicted repeatedly: adds the canvas read-back of the pad's path.
          const box = (await page.locator('#main canvas').boundingBox())!;
          await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.2);
          await page.mouse.down();
          await page.mouse.move(box.x + box.width / 2, box.y + box.height * 0.8, { steps: 8 });
          await page.mouse.up();
          result.padPredictMs = await page.evaluate(async (n) => {
            const el = document.getElementById('main') as any;
            const times: number[] = [];
            for (let i = 0; i < n; i++) {
              const t0 = performance.now();
              await el.predict();
              times.push(performance.now() - t0);
            }
            return times;
          }, n);
        }
      } finally {
        await browser.close();
      }
      log(
        `  cold load ${run + 1}/${coldRuns}: first prediction at ${result.coldLoadMs.at(-1)!.toFixed(0)} ms (backend="wasm" ${result.wasmBackendColdLoadMs.at(-1)!.toFixed(0)} ms, reference page ${result.referenceColdLoadMs.at(-1)!.toFixed(0)} ms); renderer CPU ${result.coldCpuMs.widget.at(-1)!.toFixed(0)} / ${result.coldCpuMs.wasmBackend.at(-1)!.toFixed(0)} / ${result.coldCpuMs.reference.at(-1)!.toFixed(0)} ms`,
      );
    }
  } finally {
    await server.close();
    await fs.rm(path.dirname(wasmDemo), { recursive: true, force: true });
  }
  return result;
}

/** Markdown lines for BENCHMARKS.md. */
export function formatWebBench(r: WebBenchResult): string[] {
  const kb = (b: number | null) => (b === null ? '–' : `${(b / 1024).toFixed(1)} KiB`);
  const lines = [
    `Backend: ${r.backend} (headless Chromium grants no WebGPU adapter). Server: \`lenet-onnx serve\`'s static server on 127.0.0.1, gzip siblings served. Machine load average at the start: ${r.loadAverage.toFixed(1)} on ${os.cpus().length} cores.`,
    '',
    '| figure | median | spread |',
    '|---|---|---|',
    `| load -> first prediction, cold profile (${r.coldLoadMs.length} runs) | ${median(r.coldLoadMs).toFixed(0)} ms | ${Math.min(...r.coldLoadMs).toFixed(0)}–${Math.max(...r.coldLoadMs).toFixed(0)} ms |`,
    `| reference: onnxruntime-web alone, cold profile (bench/web-reference.html, ${r.referenceColdLoadMs.length} runs, alternating) | ${median(r.referenceColdLoadMs).toFixed(0)} ms | ${Math.min(...r.referenceColdLoadMs).toFixed(0)}–${Math.max(...r.referenceColdLoadMs).toFixed(0)} ms |`,
    `| the demo page with backend="wasm", cold profile (${r.wasmBackendColdLoadMs.length} runs, alternating) | ${median(r.wasmBackendColdLoadMs).toFixed(0)} ms | ${Math.min(...r.wasmBackendColdLoadMs).toFixed(0)}–${Math.max(...r.wasmBackendColdLoadMs).toFixed(0)} ms |`,
    `| widget / reference, cold (ratio of medians): backend="auto" / "wasm" | ${(median(r.coldLoadMs) / median(r.referenceColdLoadMs)).toFixed(2)} / ${(median(r.wasmBackendColdLoadMs) / median(r.referenceColdLoadMs)).toFixed(2)} | |`,
    ...(
      [
        ['the demo page', r.coldCpuMs.widget],
        ['reference', r.coldCpuMs.reference],
        ['backend="wasm"', r.coldCpuMs.wasmBackend],
      ] as const
    ).map(
      ([what, xs]) =>
        `| renderer CPU to first prediction, cold: ${what} | ${median(xs).toFixed(0)} ms | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms |`,
    ),
    `| widget / reference, renderer CPU (ratio of medians): backend="auto" / "wasm" | ${(median(r.coldCpuMs.widget) / median(r.coldCpuMs.reference)).toFixed(2)} / ${(median(r.coldCpuMs.wasmBackend) / median(r.coldCpuMs.reference)).toFixed(2)} | |`,
    `| of which load -> \`ready\` | ${median(r.coldReadyMs).toFixed(0)} ms | ${Math.min(...r.coldReadyMs).toFixed(0)}–${Math.max(...r.coldReadyMs).toFixed(0)} ms |`,
    ...Object.entries(r.coldMarksMs)
      .sort((a, b) => median(a[1]) - median(b[1]))
      .map(
        ([name, xs]) =>
          `| of which load -> mark \`${name}\` | ${median(xs).toFixed(0)} ms | ${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)} ms |`,
      ),
    `| load -> first prediction, reload (${r.warmLoadMs.length} runs) | ${median(r.warmLoadMs).toFixed(0)} ms | ${Math.min(...r.warmLoadMs).toFixed(0)}–${Math.max(...r.warmLoadMs).toFixed(0)} ms |`,
    `| \`predictImage\` 28x28 (preprocess + inference, ${r.predictImageMs.length} calls) | ${median(r.predictImageMs).toFixed(2)} ms | p90 ${quantile(r.predictImageMs, 0.9).toFixed(2)} ms |`,
    `| \`predict()\` of a pad drawing (read-back + preprocess + inference, ${r.padPredictMs.length} calls) | ${median(r.padPredictMs).toFixed(2)} ms | p90 ${quantile(r.padPredictMs, 0.9).toFixed(2)} ms |`,
    '',
    '| file in web/dist | bytes | gzip | loaded by |',
    '|---|---|---|---|',
    ...r.files.map(
      (f) =>
        `| ${f.file} | ${f.bytes.toLocaleString('en')} (${kb(f.bytes)}) | ${f.gzipBytes === null ? '–' : `${f.gzipBytes.toLocaleString('en')} (${kb(f.gzipBytes)})`} | ${f.loadedBy} |`,
    ),
  ];
  const fetched = Object.entries(r.fetchedBytes);
  const total = fetched.reduce((a, [, b]) => a + b, 0);
  lines.push(
    '',
    `Fetched by the demo page on WASM (resource timing, encoded bytes): ${fetched.map(([p, b]) => `${p} ${b.toLocaleString('en')}`).join(', ')}; total ${total.toLocaleString('en')} bytes (${(total / 1024 / 1024).toFixed(2)} MiB).`,
  );
  return lines;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const r = await benchWeb();
  process.stdout.write(formatWebBench(r).join('\n') + '\n');
}
