import * as tf from '@tensorflow/tfjs';
import type { ConvBackpropAttrs } from './wasm-conv-filter-grad.js';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Info = tf.TensorInfo;
type WasmBackend = tf.KernelBackend & {
  disposeData(id: object): void;
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array;
};

// The wasm backend's own kernels for these gradients are plain scalar loops (and its matrix product is
// one too as soon as an operand is transposed, which every dense-layer gradient asks for); in a LeNet-5
// training step they took most of the time (see BENCHMARKS.md). They are rebuilt here from the fast
// pieces (XNNPACK's Conv2D and untransposed MatMul, block copies) and swapped in while training on wasm.
const REPLACED = ['Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', 'PadV2'] as const;
const originals = new Map<string, tf.KernelConfig>();

function run(backend: object, name: string, inputs: tf.NamedTensorInfoMap, attrs: object): Info {
  return tf
    .getKernel(name, 'wasm')!
    .kernelFunc({ inputs, backend: backend as tf.KernelBackend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function original(name: string, args: KernelArgs): Info {
  return originals.get(name)!.kernelFunc(args) as Info;
}

/**
 * dx of a stride-1 convolution is the "full" convolution of dy with the filter turned by 180 degrees
 * and its in/out channels swapped, which wasm's Conv2D (XNNPACK) computes far faster than the
 * backend's loop kernel. Strided or channels-first cases go to the original kernel.
 */
function conv2dBackpropInputFast(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as ConvBackpropAttrs & { inputShape: [number, number, number, number] };
  const info = tf.backend_util.computeConv2DInfo(
    a.inputShape,
    filter.shape as [number, number, number, number],
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const { top, bottom, left, right } = info.padInfo;
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  const fullPad = [kh - 1 - top, kh - 1 - bottom, kw - 1 - left, kw - 1 - right];
  if (a.dataFormat === 'NCHW' || info.strideHeight !== 1 || info.strideWidth !== 1 || fullPad.some((p) => p < 0)) {
    return original('Conv2DBackpropInput', args);
  }
  const b = backend as WasmBackend;
  const flipped = run(backend, 'Reverse', { x: filter }, { dims: [0, 1] });
  // HWIO -> HWOI: the forward output channels become the input channels of the transposed convolution.
  const swapped = run(backend, 'Transpose', { x: flipped }, { perm: [0, 1, 3, 2] });
  b.disposeData(flipped.dataId);
  const dx = run(
    backend,
    'Conv2D',
    { x: dy, filter: swapped },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [fullPad[0], fullPad[1]],
        [fullPad[2], fullPad[3]],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [1, 1],
    },
  );
  b.disposeData(swapped.dataId);
  return dx;
}

/**
 * MaxPoolGrad as one pass over the windows in JavaScript on the wasm heap: each window's gradient goes
 * to its first strictly largest input in row-major window order (the rule of tfjs's cpu kernel; a
 * window of NaN/-Infinity only passes nothing on). Also a fix: the backend's own kernel starts its
 * running max at 0, so an all-negative window sends its gradient to its first element (4.22).
 */
function maxPoolGradFast(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const { dy, input } = inputs as { dy: Info; input: Info };
  const a = attrs as unknown as {
    filterSize: [number, number] | number;
    strides: [number, number] | number;
    pad: 'valid' | 'same' | number;
    dimRoundingMode?: 'floor' | 'round' | 'ceil';
  };
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    a.filterSize,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const b = backend as WasmBackend;
  // Allocate first: growing the wasm heap detaches earlier views of it.
  const out = b.makeOutput(input.shape, 'float32');
  const dx = b.typedArrayFromHeap(out);
  const x = b.typedArrayFromHeap(input);
  const g = b.typedArrayFromHeap(dy);
  dx.fill(0);
  const { batchSize, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  if (fh === 2 && fw === 2 && sh === 2 && sw === 2 && top === 0 && left === 0 && OH * 2 <= H && OW * 2 <= W) {
    maxPoolGrad2x2(x, g, dx, batchSize, H, W, C, OH, OW);
    return out;
  }
  let o = 0;
  for (let n = 0; n < batchSize; n++) {
    const nBase = n * H * W * C;
    for (let oh = 0; oh < OH; oh++) {
      const r0 = oh * sh - top;
      const rMin = Math.max(0, r0),
        rMax = Math.min(H, r0 + fh);
      for (let ow = 0; ow < OW; ow++) {
        const c0 = ow * sw - left;
        const cMin = Math.max(0, c0),
          cMax = Math.min(W, c0 + fw);
        for (let c = 0; c < C; c++, o++) {
          let best = -Infinity,
            at = -1;
          for (let r = rMin; r < rMax; r++) {
            for (let q = cMin; q < cMax; q++) {
              const i = nBase + (r * W + q) * C + c;
              if (x[i] > best) {
                best = x[i];
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] += g[o];
        }
      }
    }
  }
  return out;
}

/**
 * BatchMatMul with transposed operands: transpose them explicitly (cheap: the operands of a dense
 * layer's gradient are small) and multiply untransposed, the case the backend hands to XNNPACK.
 */
function batchMatMulFast(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const { a, b } = inputs as { a: Info; b: Info };
  const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
  if (!transposeA && !transposeB) return original('BatchMatMul', args);
  const wb = backend as WasmBackend;
  const lastTwoSwapped = (t: Info) => {
    const perm = t.shape.map((_, i) => i);
    const r = perm.length;
    [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
    return run(backend, 'Transpose', { x: t }, { perm });
  };
  const aa = transposeA ? lastTwoSwapped(a) : a;
  const bb = transposeB ? lastTwoSwapped(b) : b;
  const out = original('BatchMatMul', {
    inputs: { a: aa, b: bb },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
  });
  if (aa !== a) wb.disposeData(aa.dataId);
  if (bb !== b) wb.disposeData(bb.dataId);
  return out;
}

/** The common 2x2, stride 2, unpadded case of {@link maxPoolGradFast} without the window bounds. */
function maxPoolGrad2x2(
  x: Float32Array,
  g: Float32Array,
  dx: Float32Array,
  N: number,
  H: number,
  W: number,
  C: number,
  OH: number,
  OW: number,
): void {
  const row = W * C;
  let o = 0;
  for (let n = 0; n < N; n++) {
    for (let oh = 0; oh < OH; oh++) {
      for (let ow = 0; ow < OW; ow++) {
        const base = n * H * row + 2 * oh * row + 2 * ow * C;
        for (let c = 0; c < C; c++, o++) {
          // Row-major window order with strict '>': the first of equal maxima wins, as on the cpu backend.
          let at = -1,
            best = -Infinity;
          const i0 = base + c,
            i1 = i0 + C,
            i2 = i0 + row,
            i3 = i2 + C;
          if (x[i0] > best) {
            best = x[i0];
            at = i0;
          }
          if (x[i1] > best) {
            best = x[i1];
            at = i1;
          }
          if (x[i2] > best) {
            best = x[i2];
            at = i2;
          }
          if (x[i3] > best) {
            at = i3;
          }
          if (at >= 0) dx[at] += g[o];
        }
      }
    }
  }
}

/**
 * PadV2 (constant) for float32 as a fill plus one block copy per contiguous run of the input: the
 * backend's element-by-element loop made the 28 -> 32 padding of every LeNet-5 batch cost as much as
 * the first convolution.
 */
function padV2Fast(args: KernelArgs): Info {
  const { inputs, backend, attrs } = args;
  const { x } = inputs as { x: Info };
  const { paddings, constantValue } = attrs as unknown as { paddings: Array<[number, number]>; constantValue: number };
  const rank = x.shape.length;
  const count = x.shape.reduce((a, b) => a * b, 1);
  if (x.dtype !== 'float32' || count === 0 || rank === 0) return original('PadV2', args);
  const outShape = x.shape.map((d, i) => paddings[i][0] + d + paddings[i][1]);
  // The innermost padded axis: everything inside it is copied as one contiguous run.
  let last = rank - 1;
  while (last > 0 && paddings[last][0] === 0 && paddings[last][1] === 0) last--;
  const inner = x.shape.slice(last + 1).reduce((a, b) => a * b, 1);
  const run = x.shape[last] * inner;
  const outStrides = outShape.map((_, i) => outShape.slice(i + 1).reduce((a, b) => a * b, 1));
  const b = backend as WasmBackend;
  const out = b.makeOutput(outShape, 'float32');
  const dst = b.typedArrayFromHeap(out);
  const src = b.typedArrayFromHeap(x);
  dst.fill(constantValue);
  const idx = new Array<number>(last).fill(0);
  const runs = count / run;
  for (let k = 0; k < runs; k++) {
    let off = paddings[last][0] * outStrides[last];
    for (let a = 0; a < last; a++) off += (idx[a] + paddings[a][0]) * outStrides[a];
    dst.set(src.subarray(k * run, (k + 1) * run), off);
    for (let a = last - 1; a >= 0; a--) {
      if (++idx[a] < x.shape[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

const FAST: Record<(typeof REPLACED)[number], tf.KernelFunc> = {
  Conv2DBackpropInput: conv2dBackpropInputFast as tf.KernelFunc,
  MaxPoolGrad: maxPoolGradFast as tf.KernelFunc,
  BatchMatMul: batchMatMulFast as tf.KernelFunc,
  PadV2: padV2Fast as tf.KernelFunc,
};

/**
 * Swap in the faster wasm gradient kernels (idempotent). Call after the wasm backend is initialised:
 * the originals stay registered-and-set-up underneath as the fallback for cases the fast ones skip.
 * A no-op on other backends.
 */
export function enableFastWasmGradients(): void {
  if (tf.getBackend() !== 'wasm') return;
  for (const name of REPLACED) {
    if (originals.has(name)) continue;
    const config = tf.getKernel(name, 'wasm');
    if (!config) continue;
    originals.set(name, config);
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel({ kernelName: name, backendName: 'wasm', kernelFunc: FAST[name] });
  }
}

/** Put the backend's own kernels back (benchmarks compare both; tests check one against the other). */
export function disableFastWasmGradients(): void {
  for (const [name, config] of originals) {
    tf.unregisterKernel(name, 'wasm');
    tf.registerKernel(config);
  }
  originals.clear();
}

/** Whether {@link enableFastWasmGradients} is in effect. */
export function fastWasmGradientsEnabled(): boolean {
  return originals.size > 0;
}
