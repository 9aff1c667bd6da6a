import assert from 'node:assert/strict';
import type * as tf from '@tensorflow/tfjs';
import type { Stage } from '../../../src/train/step/chain-step.js';
import { writeStructs, type FusedLayout } from '../../../src/train/step/fused-layout.js';
import { kernelStage, type Activation } from '../../../src/train/step/kernel-stages.js';
import { instantiateKernels, type TrainKernels } from '../../../src/train/step/own-kernels.js';
import { seededRandom } from '../../../src/train/data/rng.js';
import { compareFloats } from '../../helpers/close.js';

/** A weight as the layouts read it: only its shape. */
export const weightOf = (shape: number[]) => ({ shape }) as unknown as tf.LayerVariable;

/** One stage laid out on its own in a fresh instance of our kernels, with views of its buffers. */
export interface OneStage {
  k: TrainKernels;
  a: Activation;
  o: Activation;
  fields: Record<string, number>;
  struct: number;
  /** The model's input rows (NHWC) that inputForward turns into the map `a`, and its struct. */
  input: number;
  inputStruct: number;
  /** The memory as floats (valid until the memory grows; nothing here grows it after the layout). */
  f32: Float32Array;
  /** Floats of the memory from byte offset `at`. */
  view(at: number, floats: number): Float32Array;
}

/**
 * Lay out `chain[index]` for N rows after the activation `input` describes (a map [C][N][H][W] with `plane`
 * floats per channel, or rows of F), as the fused step would inside that chain, and write its structs.
 */
export function layOutStage(
  chain: Stage[],
  index: number,
  N: number,
  input: { C: number; H: number; W: number; plane?: number } | { F: number },
): OneStage {
  const k = instantiateKernels();
  if (typeof k === 'string') assert.fail(`our kernels: ${k}`);
  const kernels: TrainKernels = k;
  let end = Math.ceil(kernels.heapBase() / 16) * 16;
  const take = (floats: number) => {
    const at = end;
    end += Math.ceil((floats * 4 + 64) / 16) * 16;
    return at;
  };
  const a: Activation =
    'F' in input
      ? { kind: 'rows', F: input.F, at: take(N * input.F), grad: take(N * input.F) }
      : (() => {
          const plane = input.plane ?? N * input.H * input.W;
          return { kind: 'map', ...input, rowW: input.W, plane, at: take(input.C * plane), grad: take(input.C * plane) };
        })();
  const input0 = 'F' in input ? 0 : take(N * input.H * input.W * input.C);
  const s = chain[index];
  const { fields, next } = kernelStage(s).layout(s, a, { N, take, stages: chain, index });
  const actStructs = [take(9), take(9)];
  const struct = take(3 + kernelStage(s).fields.length);
  const L: FusedLayout = {
    N,
    input: input0,
    inputRow: 0,
    inputStruct: take(3),
    acts: [a, next],
    actStructs,
    stages: [{ kind: s.kind, struct, fields }],
    end,
  };
  const need = end - kernels.memory.buffer.byteLength;
  if (need > 0) kernels.memory.grow(Math.ceil(need / 65536));
  writeStructs(new Int32Array(kernels.memory.buffer), L, [s]);
  const f32 = new Float32Array(kernels.memory.buffer);
  return {
    k: kernels,
    a,
    o: next,
    fields,
    struct,
    input: input0,
    inputStruct: L.inputStruct,
    f32, view: (at, floats) => f32.subarray(at >> 2, (at >> 2) + floats) };
}

/** `count` seeded values in [-1, 1), with some exact zeros and repeats (ties for max-pools). */
export function values(count: number, seed: number): Float32Array {
  const rand = seededRandom(seed);
  const v = new Float32Array(count);
  for (let i = 0; i < count; i++) {
    const r = rand();
    v[i] = r < 0.05 ? 0 : r < 0.1 && i > 0 ? v[i - 1] : Math.fround(rand() * 2 - 1);
  }
  return v;
}

/** Float32 results against a float64 reference: relative 1e-5, or absolute 1e-5 of the reference's largest. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  const c = compareFloats(actual, expected, 1e-5 * Math.max(scale, 1e-6), 1e-5);
  assert.ok(
    c.ok,
    `${what}: max |diff| ${c.maxAbs} at ${c.worstIndex} (got ${actual[c.worstIndex]}, expected ${expected[c.worstIndex]})`,
  );
}

/** NHWC [N][H][W][C] values into a channel-major map [C][N][H][W] with `plane` floats per channel. */
export function toMap(nhwc: ArrayLike<number>, N: number, H: number, W: number, C: number, plane: number): Float32Array {
  const m = new Float32Array(C * plane);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++) m[c * plane + (n * H + h) * W + w] = nhwc[((n * H + h) * W + w) * C + c];
  return m;
}

/** The reverse of {@link toMap}. */
export function fromMap(m: ArrayLike<number>, N: number, H: number, W: number, C: number, plane: number): number[] {
  const t = new Array<number>(N * H * W * C);
  for (let n = 0; n < N; n++)
    for (let h = 0; h < H; h++)
      for (let w = 0; w < W; w++)
        for (let c = 0; c < C; c++) t[((n * H + h) * W + w) * C + c] = m[c * plane + (n * H + h) * W + w];
  return t;
}
