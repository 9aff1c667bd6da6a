/**
 * Loading onnxruntime-web: the build for a backend, found next to this module, pinned to the version the
 * widget was built with; sessions on it. Keeps every onnxruntime-web detail out of the model loader.
 */
import type * as Ort from 'onnxruntime-web';
import { ORT_VERSION } from './build-info.js';

/** What actually runs the model. */
export type BackendInUse = 'webgpu' | 'wasm';

export type OrtModule = typeof Ort;

/** A session and the onnxruntime-web module (build) it belongs to, whose Tensor class it takes. */
export interface Session {
  ort: OrtModule;
  session: Ort.InferenceSession;
}

// The runtime files sit in ort/ next to this module wherever the host serves it, so no path is hard-coded.
const ORT_DIR = new URL('./ort/', import.meta.url);
const ortModules = new Map<BackendInUse, Promise<OrtModule>>();

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

const WASM_FILES: Record<BackendInUse, string> = {
  wasm: 'ort-wasm-simd-threaded.wasm',
  webgpu: 'ort-wasm-simd-threaded.asyncify.wasm',
};

/**
 * Start downloading the runtime's wasm binary now instead of after its two loader modules: a preload whose
 * request matches the runtime's own `fetch` (same URL, CORS mode) is handed over to it by the browser.
 */
export function preloadWasm(backend: BackendInUse): void {
  const href = new URL(WASM_FILES[backend], ORT_DIR).href;
  if (document.querySelector(`link[rel="preload"][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.crossOrigin = 'anonymous';
  link.href = href;
  document.head.append(link);
}

export function importOrt(backend: BackendInUse): Promise<OrtModule> {
  let p = ortModules.get(backend);
  if (!p) {
    // Only the build a page needs is downloaded: the WebGPU one is larger and fetched only with an adapter.
    const file = backend === 'webgpu' ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs';
    p = (import(/* @vite-ignore */ new URL(file, ORT_DIR).href) as Promise<OrtModule>).then((ort) => {
      const version = ort.env.versions?.web;
      if (version !== ORT_VERSION) {
        throw new Error(
          `onnxruntime-web ${version} was loaded from ${ORT_DIR.href}, but this widget was built for ${ORT_VERSION}; serve the ort/ folder built with it`,
        );
      }
      ort.env.wasm.wasmPaths = ORT_DIR.href;
      // One thread: a 28x28 LeNet-5 runs no faster on more (measured in headless Chromium, 0.2 ms either
      // way), while each extra thread is a worker that loads and instantiates the runtime at page load.
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
// and widgets with different models may load at the same time: creations take turns.
let creating: Promise<unknown> = Promise.resolve();

/** Create a session on execution provider `ep` with the given runtime build; creations are serialised. */
export async function createSession(
  build: BackendInUse,
  ep: BackendInUse,
  bytes: Uint8Array,
  adapter?: unknown,
): Promise<Session> {
  const ort = await importOrt(build);
  const next = creating.then(async () => {
    if (adapter) (ort.env.webgpu as { adapter: unknown }).adapter = adapter;
    // Sessions may keep a view on the buffer; give each its own copy so a second session never sees a detached one.
    // NCHW layout on WebGPU: with the EP's NHWC-transformed convolutions, onnxruntime-web 1.30 computed LeNet-5's
    // second convolution wrongly on Chromium's software adapter (probabilities off by 0.9); in NCHW it agrees
    // with onnxruntime-node within 2e-6 at every layer.
    const provider = ep === 'webgpu' ? { name: 'webgpu' as const, preferredLayout: 'NCHW' as const } : ep;
    const session = await ort.InferenceSession.create(bytes.slice(), {
      executionProviders: [provider],
      graphOptimizationLevel: 'all',
    });
    // Marks let a host page (and bench/web.ts) see where loading time goes.
    performance.mark(`lenet:session-${ep}-created`);
    return { ort, session };
  });
  creating = next.catch(() => undefined);
  return next;
}
