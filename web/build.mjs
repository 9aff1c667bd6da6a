// Builds web/dist/, in two layers:
// - the widget package (what `files` in web/package.json ships): the element's module and its WebGPU opt-in,
//   both importing onnxruntime-web by name for the host's bundler, their type declarations, the default models;
// - the demo site `lenet-onnx serve` serves on top: the demo page (an import map points those names at ort/),
//   onnxruntime-web's files in ort/, the int8 model, and a gzip copy of each compressible file (brotli too for the
//   big ones) for servers that serve those.
import { build, transform } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants } from 'node:zlib';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..');
const out = path.join(here, 'dist');
// Found the way Node resolves it (from web/ or the repo root), through a file the package exports.
const ortDist = path.dirname(fileURLToPath(import.meta.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm')));
const ortPackage = path.dirname(ortDist);
const ortVersion = JSON.parse(await readFile(path.join(ortPackage, 'package.json'), 'utf8')).version;

// The WASM build serves every page; the WebGPU build (with its own wasm) is fetched only when an adapter is granted.
const ORT_FILES = [
  'ort.wasm.min.mjs',
  'ort-wasm-simd-threaded.mjs',
  'ort-wasm-simd-threaded.wasm',
  'ort.webgpu.min.mjs',
  'ort-wasm-simd-threaded.asyncify.mjs',
  'ort-wasm-simd-threaded.asyncify.wasm',
];
// The runtime's default model and its int8 file, served under the widget's model names. Read from the shared
// runtime's source (compiled here), so this build needs nothing the Node side builds.
const defaultModelSource = await transform(
  await readFile(path.join(root, 'src', 'runtime', 'default-model.ts'), 'utf8'),
  { loader: 'ts', format: 'esm' },
);
const { DEFAULT_ONNX_MODEL, DEFAULT_INT8_MODEL } = await import(
  'data:text/javascript;base64,' + Buffer.from(defaultModelSource.code).toString('base64')
);
const DEFAULT_MODEL = path.join(root, DEFAULT_ONNX_MODEL);
// Expression pads default to the arithmetic model (digits and operators), shipped beside the digit model.
const ARITHMETIC_MODEL = path.join(root, 'models', 'arithmetic.onnx');
const INT8_MODEL = path.join(root, DEFAULT_INT8_MODEL);
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.wasm', '.onnx', '.json', '.css']);

async function exists(p) {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

// Build into a fresh temp folder and swap it in, so a failed build never leaves a half-written dist/.
const tmp = `${out}.tmp-${process.pid}`;
// The type declarations go beside dist/, not in it: dist/ is also the demo site `serve` serves.
const typesOut = path.join(here, 'types');
const typesTmp = `${typesOut}.tmp-${process.pid}`;
await rm(tmp, { recursive: true, force: true });
await rm(typesTmp, { recursive: true, force: true });
await mkdir(path.join(tmp, 'ort'), { recursive: true });

// The shared runtime is bundled in; onnxruntime-web stays an import for the host to resolve (a bundler from the
// package's dependency, a browser from an import map), so no copy of its wasm travels in the package.
await build({
  entryPoints: {
    'lenet-digit-pad': path.join(here, 'src', 'index.ts'),
    webgpu: path.join(here, 'src', 'webgpu.ts'),
  },
  outdir: tmp,
  bundle: true,
  format: 'esm',
  target: 'es2022',
  platform: 'browser',
  minify: true,
  external: ['onnxruntime-web', 'onnxruntime-web/*'],
  define: { __ORT_VERSION__: JSON.stringify(ortVersion) },
  logLevel: 'warning',
  legalComments: 'none',
});
execFileSync(
  process.execPath,
  [
    path.join(root, 'node_modules', 'typescript', 'bin', 'tsc'),
    '-p',
    path.join(here, 'tsconfig.types.json'),
    '--outDir',
    typesTmp,
  ],
  { stdio: 'inherit' },
);

for (const f of ORT_FILES) await copyFile(path.join(ortDist, f), path.join(tmp, 'ort', f));
await copyFile(path.join(here, 'demo', 'index.html'), path.join(tmp, 'index.html'));
if (await exists(DEFAULT_MODEL)) {
  await copyFile(DEFAULT_MODEL, path.join(tmp, 'lenet5.onnx'));
} else {
  console.warn(
    `web build: ${path.relative(process.cwd(), DEFAULT_MODEL)} not found; web/dist has no default model (run \`lenet-onnx export\`, or serve with --model FILE)`,
  );
}
// The demo page offers the int8 file beside the float one.
if (await exists(INT8_MODEL)) await copyFile(INT8_MODEL, path.join(tmp, 'lenet5.int8.onnx'));
if (await exists(ARITHMETIC_MODEL)) {
  await copyFile(ARITHMETIC_MODEL, path.join(tmp, 'arithmetic.onnx'));
} else {
  console.warn(
    `web build: ${path.relative(process.cwd(), ARITHMETIC_MODEL)} not found; the demo's expression pad will say so (run \`npm run models\`)`,
  );
}

async function walk(dir) {
  const entries = await readdir(dir, { withFileTypes: true });
  return (
    await Promise.all(entries.map((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])))
  ).flat();
}
// Brotli only for the big files, where it saves the most; a middling quality keeps the build quick.
const BROTLI_MIN_BYTES = 1024 * 1024;
for (const f of await walk(tmp)) {
  if (!COMPRESSIBLE.has(path.extname(f))) continue;
  const bytes = await readFile(f);
  await writeFile(f + '.gz', gzipSync(bytes, { level: constants.Z_BEST_COMPRESSION }));
  if (bytes.length >= BROTLI_MIN_BYTES) {
    await writeFile(
      f + '.br',
      brotliCompressSync(bytes, {
        params: {
          [constants.BROTLI_PARAM_QUALITY]: 5,
          [constants.BROTLI_PARAM_LGWIN]: 24,
          [constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
        },
      }),
    );
  }
}

await rm(out, { recursive: true, force: true });
await rename(tmp, out);
await rm(typesOut, { recursive: true, force: true });
await rename(typesTmp, typesOut);
console.log(`web build: ${path.relative(process.cwd(), out) || out} (onnxruntime-web ${ortVersion})`);
