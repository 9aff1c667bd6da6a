import { readFileSync } from 'node:fs';

/**
 * The exports of our training kernels (kernels/*.ts, compiled by `npm run build` to
 * dist/kernels/train-kernels.wasm). Pointers are byte offsets into `memory`; booleans are 0/1.
 */
export interface TrainKernels {
  memory: WebAssembly.Memory;
  heapBase(): number;
  im2col(
    a: number,
    C: number,
    n0: number,
    N: number,
    H: number,
    rowW: number,
    plane: number,
    KH: number,
    KW: number,
    OH: number,
    OW: number,
    R: number,
    x: number,
  ): void;
  convForward(
    x: number,
    K: number,
    R: number,
    w: number,
    Co: number,
    bias: number,
    relu: number,
    z: number,
    zStride: number,
  ): void;
  convFilterGrad(
    x: number,
    K: number,
    R: number,
    dz: number,
    dzStride: number,
    Co: number,
    dw: number,
    accumulate: number,
  ): void;
  convBiasGrad(dz: number, R: number, Co: number, db: number): void;
  convInputGrad(
    dz: number,
    Co: number,
    R: number,
    w: number,
    C: number,
    N: number,
    H: number,
    rowW: number,
    plane: number,
    KH: number,
    KW: number,
    OH: number,
    OW: number,
    da: number,
  ): void;
  convInputGradSparse(
    dz: number,
    Co: number,
    R: number,
    w: number,
    C: number,
    N: number,
    H: number,
    W: number,
    rowW: number,
    plane: number,
    KH: number,
    KW: number,
    OH: number,
    OW: number,
    da: number,
    wt: number,
    rows: number,
  ): void;
  poolForward(
    z: number,
    C: number,
    N: number,
    H: number,
    rowW: number,
    plane: number,
    PH: number,
    PW: number,
    p: number,
    pPlane: number,
    arg: number,
  ): void;
  poolBackward(
    dp: number,
    arg: number,
    p: number,
    relu: number,
    C: number,
    N: number,
    H: number,
    W: number,
    rowW: number,
    plane: number,
    PH: number,
    PW: number,
    pPlane: number,
    dz: number,
    zFloats: number,
  ): void;
  denseForward(a: number, N: number, I: number, w: number, O: number, bias: number, relu: number, out: number): void;
  denseFilterGrad(a: number, d: number, N: number, I: number, O: number, dw: number, db: number): void;
  denseInputGrad(d: number, N: number, O: number, w: number, I: number, da: number): void;
  reluMask(d: number, z: number, count: number): void;
  reluMaskAny(d: number, z: number, count: number): void;
  nhwc(
    t: number,
    N: number,
    H: number,
    W: number,
    C: number,
    rowW: number,
    plane: number,
    m: number,
    toMap: number,
  ): void;
}

// The same path from src/train/step (tsx) and dist/train/step (built): both lead to dist/kernels.
const WASM = new URL('../../../dist/kernels/train-kernels.wasm', import.meta.url);

let compiled: WebAssembly.Module | string | undefined;

function compile(): WebAssembly.Module | string {
  try {
    return new WebAssembly.Module(readFileSync(WASM));
  } catch (err) {
    return `our training kernels are not built (${(err as Error).message.split('\n')[0]}; npm run build makes them)`;
  }
}

/** Receives the name and milliseconds of every kernel call (benchmarks). */
export type KernelTimer = (name: string, ms: number) => void;

let timer: KernelTimer | undefined;

/**
 * Time every call of the kernels instantiated from now on (`undefined` stops it for later instances). For
 * benchmarks: the wrapper costs a closure call and two clock reads per kernel call.
 */
export function setKernelTimer(t: KernelTimer | undefined): void {
  timer = t;
}

/** A fresh instance of our kernels with its own memory, or why there is none. */
export function instantiateKernels(): TrainKernels | string {
  compiled ??= compile();
  if (typeof compiled === 'string') return compiled;
  const exports = new WebAssembly.Instance(compiled, {}).exports as unknown as TrainKernels;
  const t = timer;
  if (!t) return exports;
  const timed: Record<string, unknown> = {};
  for (const [name, f] of Object.entries(exports)) {
    timed[name] =
      typeof f !== 'function'
        ? f
        : (...args: number[]) => {
            const t0 = performance.now();
            const r = (f as (...a: number[]) => unknown)(...args);
            t(name, performance.now() - t0);
            return r;
          };
  }
  return timed as unknown as TrainKernels;
}
