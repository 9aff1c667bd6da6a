/**
 * Loading onnxruntime-web: the build for a backend, imported by name (the host's bundler or import map resolves
 * it) or from the folder set with setAssetPaths, checked against the version the widget was built with;
 * sessions on it. Keeps every onnxruntime-web detail out of the model loader.
 */
import type * as Ort from 'onnxruntime-web';
import { ortFolder } from './assets.js';
import { ORT_VERSION } from './build-info.js';
import { webGpuBuild } from './webgpu-build.js';

/** What actually runs the model. */
export type BackendInUse = 'webgpu' | 'wasm';

export type OrtModule = typeof Ort;

/** A session and the onnxruntime-web module (build) it belongs to, whose Tensor class it takes. */
export interface Session {
  ort: OrtModule;
  session: Ort.InferenceSession;
}

const ortModules = new Map<BackendInUse, Promise<OrtModule>>();

/** Whether the page asked for WebGPU (imported `lenet-onnx-widget/webgpu`) and the browser has the API. */
export function webGpuWanted(): boolean {
  return webGpuBuild() !== null && 'gpu' in navigator;
}

/** Ask for a WebGPU adapter first: `navigator.gpu` existing does not mean one will be granted. */
export async function requestAdapter(): Promise<unknown> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

const MODULE_FILES: Record<BackendInUse, string> = { wasm: 'ort.wasm.min.mjs', webgpu: 'ort.webgpu.min.mjs' };
/** The Emscripten loader each build imports once a session is created, and the wasm binary that loader fetches. */
const FACTORY_FILES: Record<BackendInUse, string> = {
  wasm: 'ort-wasm-simd-threaded.mjs',
  webgpu: 'ort-wasm-simd-threaded.asyncify.mjs',
};
const WASM_FILES: Record<BackendInUse, string> = {
  wasm: 'ort-wasm-simd-threaded.wasm',
  webgpu: 'ort-wasm-simd-threaded.asyncify.wasm',
};
const SPECIFIERS: Record<BackendInUse, string> = { wasm: 'onnxruntime-web/wasm', webgpu: 'onnxruntime-web/webgpu' };

/** The URL the runtime build's module comes from, when the page can tell (a set folder or an import map). */
function moduleUrl(backend: BackendInUse): string | null {
  const folder = ortFolder();
  if (folder) return folder + MODULE_FILES[backend];
  try {
    // Resolves through the page's import map; bundled code has no map and lands in the catch.
    return import.meta.resolve(SPECIFIERS[backend]);
  } catch {
    return null;
  }
}

/**
 * Start downloading the runtime's loader module and wasm binary now instead of one after the other behind the
 * build's own module: a preload whose request matches the runtime's own (same URL; CORS mode for the `fetch` of
 * the wasm) is handed over to it by the browser, and its streaming compile picks up the bytes already received.
 * Only where the URL is known in advance (a set folder, an import map); a bundler's hashed file name is not.
 * Hints the host page already carries are not repeated.
 */
export function preloadRuntime(backend: BackendInUse): void {
  const from = moduleUrl(backend);
  if (!from || !/^https?:/.test(from)) return;
  addHint('modulepreload', new URL(FACTORY_FILES[backend], from).href);
  addHint('preload', new URL(WASM_FILES[backend], from).href);
}

function addHint(rel: 'preload' | 'modulepreload', href: string): void {
  for (const l of document.querySelectorAll<HTMLLinkElement>(`link[rel="${rel}"]`)) if (l.href === href) return;
  const link = document.createElement('link');
  link.rel = rel;
  if (rel === 'preload') {
    link.as = 'fetch';
    link.crossOrigin = 'anonymous';
  }
  link.href = href;
  document.head.append(link);
}

function importBuild(backend: BackendInUse): Promise<OrtModule> {
  const folder = ortFolder();
  if (folder) return import(/* @vite-ignore */ folder + MODULE_FILES[backend]) as Promise<OrtModule>;
  if (backend === 'wasm') return import('onnxruntime-web/wasm');
  const webgpu = webGpuBuild();
  if (!webgpu)
    return Promise.reject(new Error("the WebGPU build was not asked for (import 'lenet-onnx-widget/webgpu')"));
  return webgpu();
}

export function importOrt(backend: BackendInUse): Promise<OrtModule> {
  let p = ortModules.get(backend);
  if (!p) {
    // Only the build a page needs is downloaded: the WebGPU one is larger and fetched only with an adapter.
    p = importBuild(backend).then((ort) => {
      const version = ort.env.versions?.web;
      if (version !== ORT_VERSION) {
        const from = moduleUrl(backend) ?? SPECIFIERS[backend];
        throw new Error(
          `onnxruntime-web ${version} was loaded from ${from}, but this widget was built for ${ORT_VERSION}; serve the files of onnxruntime-web ${ORT_VERSION}`,
        );
      }
      const folder = ortFolder();
      if (folder) ort.env.wasm.wasmPaths = folder;
      // One thread: a run of a 28x28 LeNet-5 is too short to gain from being shared out, while each extra
      // thread is a worker that loads and instantiates the runtime at page load.
      ort.env.wasm.numThreads = 1;
      ort.env.logLevel = 'error';
      performance.mark(`lenet:ort-${backend}-imported`);
      return ort;
    });
    p.catch(() => ortModules.delete(backend));
    ortModules.set(backend, p);
  }
  return p;
}

// WebGPU sessions must not be created concurrently ("another WebGPU EP inference session is being created"),
// and widgets with different models may load at the same time: creations on one build take turns. The two
// builds are separate module instances with separate wasm instances, so a WASM session being created on one
// does not hold up a WebGPU session on the other.
const creating = new Map<BackendInUse, Promise<unknown>>();

/** Create a session on execution provider `ep` with the given runtime build; creations on a build are serialised. */
export async function createSession(
  build: BackendInUse,
  ep: BackendInUse,
  bytes: Uint8Array,
  adapter?: unknown,
): Promise<Session> {
  const ort = await importOrt(build);
  const next = (creating.get(build) ?? Promise.resolve()).then(async () => {
    if (adapter) (ort.env.webgpu as { adapter: unknown }).adapter = adapter;
    // Sessions may keep a view on the buffer; give each its own copy so a second session never sees a detached one.
    // NCHW layout on WebGPU: with the EP's NHWC-transformed convolutions, onnxruntime-web 1.30 computed LeNet-5's
    // second convolution wrongly on Chromium's software adapter (probabilities off by 0.9); in NCHW it agrees
    // with onnxruntime-node within 2e-6 at every layer.
    const provider = ep === 'webgpu' ? { name: 'webgpu' as const, preferredLayout: 'NCHW' as const } : ep;
    const session = await ort.InferenceSession.create(bytes.slice(), {
      executionProviders: [provider],
      // On WASM, the fusions past the basic level make no difference to a LeNet-sized model on one thread,
      // while running them costs the page CPU time before its first prediction.
      graphOptimizationLevel: ep === 'wasm' ? 'basic' : 'all',
    });
    // Marks let a host page (and bench/web.ts) see where loading time goes.
    performance.mark(`lenet:session-${ep}-created`);
    return { ort, session };
  });
  creating.set(
    build,
    next.catch(() => undefined),
  );
  return next;
}
