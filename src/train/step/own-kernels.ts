import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { instantiate } from './kernel-binding.js';

/**
 * The exports of our training kernels (kernels/*.ts, compiled by `npm run build` to
 * dist/kernels/train-kernels.wasm), as AssemblyScript's bindings declare them (kernel-binding.d.ts, generated).
 * Pointers are byte offsets into `memory`; each stage's kernels take the offset of the stage's struct.
 */
export type TrainKernels = Awaited<ReturnType<typeof instantiate>>;

/** The package's root: the nearest folder above this module holding a package.json. */
function packageRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

/** Where the build puts the kernels' binary in the package, whether this module runs from src/ or dist/. */
export function kernelsFile(): string {
  return path.join(packageRoot(), 'dist', 'kernels', 'train-kernels.wasm');
}

let compiled: WebAssembly.Module | string | undefined;

function compile(): WebAssembly.Module | string {
  try {
    return new WebAssembly.Module(readFileSync(kernelsFile()));
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

/**
 * A fresh instance of our kernels with its own memory, or why there is none. Instantiated synchronously
 * (a step is compiled synchronously), not through the bindings' asynchronous `instantiate`: every export
 * takes and returns plain numbers, for which the bindings add no conversion.
 */
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
