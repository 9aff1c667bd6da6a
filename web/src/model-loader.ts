import { inputShape, pictureSize, readModelBytes, type ContractModel, type InputContract } from './runtime.js';
import {
  type BackendInUse,
  createSession,
  importOrt,
  preloadRuntime,
  requestAdapter,
  type Session,
  webGpuWanted,
} from './ort-runtime.js';
import { webGpuBuild } from './webgpu-build.js';
import { maxAbsDiff, PROBE_COUNT, probeBatch, SELF_CHECK_TOLERANCE } from './self-check.js';

/** What the host asks for in the `backend` attribute. */
export type BackendChoice = 'auto' | 'webgpu' | 'wasm';
export type { BackendInUse };

export const BACKEND_CHOICES: readonly BackendChoice[] = ['auto', 'webgpu', 'wasm'];

/**
 * A model ready to run: the shared model interface (`source` is the URL; runs are serialised, each result a copy
 * of its own), with the backend in use and why.
 */
export interface LoadedModel extends ContractModel {
  backend: BackendInUse;
  /** Set when the backend differs from what a WebGPU-capable choice hoped for, e.g. "no WebGPU adapter was granted". */
  fallbackReason: string | null;
}

/** The model could not be loaded; the message names the URL, what went wrong and what to check. */
export class ModelLoadError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ModelLoadError';
  }
}

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
  performance.mark('lenet:load-started');
  // The WASM runtime is needed whatever a WebGPU adapter request answers: it runs the model without an adapter
  // and checks the WebGPU kernels with one. So its download, its compile (which streams with the download once
  // a session asks for it) and its session start with the model's download, never behind the adapter.
  preloadRuntime('wasm');
  importOrt('wasm').catch(() => undefined);
  const bytesP = fetchModel(url);
  const contractP = bytesP.then((bytes) => {
    performance.mark('lenet:model-fetched');
    return readContract(url, bytes);
  });
  // A file that is no model is reported by its contract, not by the runtime: the session waits for the contract.
  const wasmP = contractP.then(async () => createSession('wasm', 'wasm', await bytesP));
  // Whichever of these the outcome does not await must not surface as an unhandled rejection.
  wasmP.catch(() => undefined);
  // Pads already in the page load as soon as the element is defined, which may be before a later import of
  // the WebGPU entry in the same module graph has run; a microtask later, every module of that graph has run.
  await Promise.resolve();
  if (choice === 'wasm' || !webGpuWanted()) {
    const contract = await contractP;
    const why = choice === 'wasm' ? null : noWebGpuReason();
    return makeModel(url, contract, 'wasm', why, await wasmP);
  }
  const adapterP = requestAdapter();
  adapterP
    .then((a) => {
      performance.mark('lenet:adapter-answered');
      if (!a) return;
      preloadRuntime('webgpu');
      return importOrt('webgpu');
    })
    .catch(() => undefined);
  const contract = await contractP;
  const bytes = await bytesP;
  const adapter = await adapterP;
  if (!adapter) return makeModel(url, contract, 'wasm', 'no WebGPU adapter was granted', await wasmP);
  let gpu: Session;
  try {
    gpu = await createSession('webgpu', 'webgpu', bytes, adapter);
  } catch (err) {
    return makeModel(url, contract, 'wasm', `the WebGPU session failed (${oneLine(err)})`, await wasmP);
  }
  // WebGPU kernels have computed wrong convolutions on some devices; check them against the WASM kernels
  // (the session started above) before trusting them, and keep the WASM session if they disagree.
  let cpu: Session;
  try {
    cpu = await wasmP;
  } catch (err) {
    await gpu.session.release();
    throw err;
  }
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
  const dims = inputShape(c, PROBE_COUNT);
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

/** Why an `auto` or `webgpu` pad runs on WASM without having asked for an adapter. */
function noWebGpuReason(): string {
  return webGpuBuild() === null
    ? "the page did not import 'lenet-onnx-widget/webgpu'"
    : 'this browser has no WebGPU API';
}

async function fetchModel(url: string): Promise<Uint8Array> {
  let res: Response;
  try {
    res = await fetch(url);
  } catch (err) {
    throw new ModelLoadError(
      `model '${url}': could not be fetched (${oneLine(err)}); check the URL and that the server is up`,
    );
  }
  if (!res.ok) {
    throw new ModelLoadError(
      `model '${url}': HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}; check the model attribute`,
    );
  }
  const type = (res.headers.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  // A server that answers every path with its HTML page (or a JSON error) is the common way to get here.
  if (type.startsWith('text/') || type === 'application/json' || type === 'application/xml') {
    throw new ModelLoadError(
      `model '${url}': the server sent ${type}, expected an ONNX file (application/octet-stream); check the model attribute and the server`,
    );
  }
  return new Uint8Array(await res.arrayBuffer());
}

function readContract(url: string, bytes: Uint8Array): InputContract {
  try {
    return readModelBytes(bytes, url).contract;
  } catch (err) {
    throw new ModelLoadError(oneLine(err));
  }
}

function makeModel(
  url: string,
  contract: InputContract,
  backend: BackendInUse,
  fallbackReason: string | null,
  s: Session,
): LoadedModel {
  // onnxruntime-web sessions do not accept overlapping run() calls; widgets sharing a session take turns.
  let queue: Promise<unknown> = Promise.resolve();
  const inTurn = <T>(task: () => Promise<T>): Promise<T> => {
    const next = queue.then(task);
    queue = next.catch(() => undefined);
    return next;
  };
  const size = pictureSize(contract);
  const run = (input: Float32Array, n: number): Promise<Float32Array> =>
    inTurn(async () => {
      // the tensor takes exactly `n` pictures; a longer buffer is cut to them (a copy, not a view)
      const pictures = input.length === n * size ? input : input.slice(0, n * size);
      const out = await s.session.run({
        [contract.inputName]: new s.ort.Tensor('float32', pictures, inputShape(contract, n)),
      });
      const data = (await out[contract.outputName].getData()) as Float32Array;
      return Float32Array.from(data);
    });
  return { source: url, contract, backend, fallbackReason, run };
}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0].trim();
}
