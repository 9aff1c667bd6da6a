import type * as Ort from 'onnxruntime-web';
import { ORT_VERSION } from './build-info.js';
import { contractFromMetadata, readOnnxInfo, type InputContract } from './runtime.js';
import { maxAbsDiff, PROBE_COUNT, probeBatch, SELF_CHECK_TOLERANCE } from './self-check.js';

/** What the host asks for in the `backend` attribute. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';
/** What actually runs the model. */
export type BackendInUse = 'webgpu' | 'wasm';

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm'];

/** A model ready to run: its contract (read from the file), the backend in use and why, and a runner. */
export interface LoadedModel {
  url: string;
  contract: InputContract;
  backend: BackendInUse;
  /** Set when the backend differs from what a WebGPU-capable choice hoped for, e.g. "no WebGPU adapter was granted". */
  fallbackReason: string | null;
  /** Probabilities for one picture already in the contract's input format. Calls are serialised. */
  run(input: Float32Array): Promise<Float32Array>;
}

/** The model could not be loaded; the message names the URL, what went wrong and what to check. */
export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

type OrtModule = typeof Ort;

// The runtime files sit in ort/ next to this module wherever the host serves it, so no path is hard-coded.
const ORT_DIR = new URL('./ort/', import.meta.url);
const ortModules = new Map<BackendInUse, Promise<OrtModule>>();
const models = new Map<string, Promise<LoadedModel>>();

/**
 * Load a model once per (URL, backend choice) for the whole page: several widgets showing the same model
 * share one download and one session.
 */
export function loadModel(url: string, choice: BackendChoice): Promise<LoadedModel> {
  const key = `${choice} ${url}`;
  let p = models.get(key);
  if (!p) {
    p = load(url, choice);
    // A failed load is not cached: the host may fix the server and retry.
    p.catch(() => models.delete(key));
    models.set(key, p);
  }
  return p;
}

async function load(url: string, choice: BackendChoice): Promise<LoadedModel> {
  // The model download, the adapter request and the runtime's import do not depend on each other: overlap them.
  const adapterP = choice === 'wasm' ? Promise.resolve(null) : requestAdapter();
  const bytesP = fetchModel(url);
  adapterP.then((a) => {
    performance.mark('lenet:adapter-answered');
    preloadWasm(a ? 'webgpu' : 'wasm');
    return importOrt(a ? 'webgpu' : 'wasm');
  }).catch(() => undefined);
  const bytes = await bytesP;
  performance.mark('lenet:model-fetched');
  const contract = readContract(url, bytes);
  const adapter = await adapterP;
  if (choice === 'wasm') return makeModel(url, contract, 'wasm', null, await createSession('wasm', 'wasm', bytes));
  if (!adapter) {
    return makeModel(url, contract, 'wasm', 'no WebGPU adapter was granted', await createSession('wasm', 'wasm', bytes));
  }
  let gpu: Session;
  try {
    gpu = await createSession('webgpu', 'webgpu', bytes, adapter);
  } catch (err) {
    const why = `the WebGPU session failed (${oneLine(err)})`;
    return makeModel(url, contract, 'wasm', why, await createSession('wasm', 'wasm', bytes));
  }
  // WebGPU kernels have computed wrong convolutions on some devices; check them against the WASM kernels of
  // the same (already downloaded) runtime before trusting them, and keep the WASM session if they disagree.
  const cpu = await createSession('webgpu', 'wasm', bytes);
  const diff = await compareOnProbes(gpu, cpu, contract);
  if (diff <= SELF_CHECK_TOLERANCE) {
    await cpu.session.release();
    return makeModel(url, contract, 'webgpu', null, gpu);
  }
  await gpu.session.release();
  const why = `WebGPU results disagree with WASM on a self-check (max |diff| ${diff.toExponential(1)})`;
  return makeModel(url, contract, 'wasm', why, cpu);
}

/** Run the probe batch through two sessions of one model; the largest probability difference. */
async function compareOnProbes(a: Session, b: Session, c: InputContract): Promise<number> {
  const probes = probeBatch(c);
  const dims = inputDims(c, PROBE_COUNT);
  const run = async (s: Session) => {
    const out = await s.session.run({ [c.inputName]: new s.ort.Tensor('float32', probes.slice(), dims) });
    return Float32Array.from((await out[c.outputName].getData()) as Float32Array);
  };
  try {
    return maxAbsDiff(await run(a), await run(b));
  } catch {
    return Infinity;
  }
}

async function fetchModel(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new ModelLoadError(`model '${url}': could not be fetched (${oneLine(err)}); check the URL and that the server is up`);
  }
  if (!res.ok) {
    throw new ModelLoadError(`model '${url}': HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}; check the model attribute`);
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  // A server that answers every path with its HTML page (or a JSON error) is the common way to get here.
  if (type.startsWith('text/') || type === 'application/json' || type === 'application/xml') {
    throw new ModelLoadError(`model '${url}': the server sent ${type}, expected an ONNX file (application/octet-stream); check the model attribute and the server`);
  }
  return new Uint8Array(await res.arrayBuffer());
}

function readContract(url: string, bytes: Uint8Array): InputContract {
  try {
    const info = readOnnxInfo(bytes);
    const contract = contractFromMetadata(info.metadata);
    if (!info.inputs.some((i) => i.name === contract.inputName) || !info.outputs.some((o) => o.name === contract.outputName)) {
      throw new Error(`its contract names input '${contract.inputName}' and output '${contract.outputName}', which the graph does not have`);
    }
    return contract;
  } catch (err) {
    throw new ModelLoadError(`model '${url}': not a usable lenet-onnx model: ${oneLine(err)}`);
  }
}

/** Ask for a WebGPU adapter first: `navigator.gpu` existing does not mean one will be granted. */
async function requestAdapter(): Promise<unknown> {
  const gpu = (navigator as Navigator & { gpu?: { requestAdapter(): Promise<unknown> } }).gpu;
  if (!gpu) return null;
  try {
    return await gpu.requestAdapter();
  } catch {
    return null;
  }
}

const WASM_FILES: Record<BackendInUse, string> = { wasm: 'ort-wasm-simd-threaded.wasm', webgpu: 'ort-wasm-simd-threaded.asyncify.wasm' };

/**
 * Start downloading the runtime's wasm binary now instead of after its two loader modules: a preload whose
 * request matches the runtime's own `fetch` (same URL, CORS mode) is handed over to it by the browser.
 */
function preloadWasm(backend: BackendInUse): void {
  const href = new URL(WASM_FILES[backend], ORT_DIR).href;
  if (document.querySelector(`link[rel="preload"][href="${CSS.escape(href)}"]`)) return;
  const link = document.createElement('link');
  link.rel = 'preload';
  link.as = 'fetch';
  link.crossOrigin = 'anonymous';
  link.href = href;
  document.head.append(link);
}

function importOrt(backend: BackendInUse): Promise<OrtModule> {
  let p = ortModules.get(backend);
  if (!p) {
    // Only the build a page needs is downloaded: the WebGPU one is larger and fetched only with an adapter.
    const file = backend === 'webgpu' ? 'ort.webgpu.min.mjs' : 'ort.wasm.min.mjs';
    p = (import(/* @vite-ignore */ new URL(file, ORT_DIR).href) as Promise<OrtModule>).then((ort) => {
      const version = ort.env.versions?.web;
      if (version !== ORT_VERSION) {
        throw new ModelLoadError(`onnxruntime-web ${version} was loaded from ${ORT_DIR.href}, but this widget was built for ${ORT_VERSION}; serve the ort/ folder built with it`);
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

interface Session {
  ort: OrtModule;
  session: Ort.InferenceSession;
}

// WebGPU sessions must not be created concurrently ("another WebGPU EP inference session is being created"),
// and widgets with different models may load at the same time: creations take turns.
let creating: Promise<unknown> = Promise.resolve();

async function createSession(build: BackendInUse, ep: BackendInUse, bytes: Uint8Array, adapter?: unknown): Promise<Session> {
  const ort = await importOrt(build);
  const next = creating.then(async () => {
    if (adapter) (ort.env.webgpu as { adapter: unknown }).adapter = adapter;
    // Sessions may keep a view on the buffer; give each its own copy so a second session never sees a detached one.
    const session = await ort.InferenceSession.create(bytes.slice(), { executionProviders: [ep], graphOptimizationLevel: 'all' });
    // Marks let a host page (and bench/web.ts) see where loading time goes.
    performance.mark(`lenet:session-${ep}-created`);
    return { ort, session };
  });
  creating = next.catch(() => undefined);
  return next;
}

function inputDims(c: InputContract, batch: number): number[] {
  return c.layout === 'NCHW' ? [batch, c.channels, c.height, c.width] : [batch, c.height, c.width, c.channels];
}

function makeModel(url: string, contract: InputContract, backend: BackendInUse, fallbackReason: string | null,
  s: Session): LoadedModel {
  const dims = inputDims(contract, 1);
  // onnxruntime-web sessions do not accept overlapping run() calls; widgets sharing a session take turns.
  let queue: Promise<unknown> = Promise.resolve();
  const run = (input: Float32Array): Promise<Float32Array> => {
    const next = queue.then(async () => {
      const out = await s.session.run({ [contract.inputName]: new s.ort.Tensor('float32', input, dims) });
      const t = out[contract.outputName];
      const data = (await t.getData()) as Float32Array;
      return Float32Array.from(data);
    });
    queue = next.catch(() => undefined);
    return next;
  };
  return { url, contract, backend, fallbackReason, run };
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].trim();
}
