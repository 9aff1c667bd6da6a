import * as tf from '@tensorflow/tfjs';

type KernelArgs = Parameters<tf.KernelFunc>[0];
type Info = tf.TensorInfo;

/** Attributes both convolution-gradient kernels (input and filter) receive from tfjs. */
export interface ConvBackpropAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * `Conv2DBackpropFilter` for the wasm backend, which ships no such kernel (so neither the plain nor the
 * fused Conv2D gradient can train there).
 *
 * The filter gradient dW[kh,kw,ci,co] = sum over n,oh,ow of x[n, oh*s+kh-pad, ow*s+kw-pad, ci] * dy[n,oh,ow,co]
 * is itself a convolution once batch and channel axes trade places: convolve x seen as [Ci, H, W, N]
 * with dy seen as a filter [OH, OW, N, Co], the forward stride becoming the dilation. The result is
 * [Ci, KH', KW', Co] (KH' >= KH when the stride leaves a remainder), cut to KH x KW and put back to HWIO.
 * Built only from kernels wasm has (Transpose, Conv2D with explicit padding and dilation, Slice).
 */
function conv2dBackpropFilterWasm({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as ConvBackpropAttrs & { filterShape: [number, number, number, number] };
  if (a.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter (wasm): only NHWC is supported');
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    a.filterShape,
    a.strides,
    1,
    a.pad,
    a.dimRoundingMode,
  );
  const b = backend as tf.KernelBackend & { disposeData(id: object): void };
  const run = (name: string, ins: tf.NamedTensorInfoMap, at: object): Info =>
    tf.getKernel(name, 'wasm')!.kernelFunc({ inputs: ins, backend, attrs: at as tf.NamedAttrMap }) as Info;

  // NHWC -> CHWN: channels become the batch, the batch becomes the channels.
  const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] });
  // NHWC dy -> [OH, OW, N, Co]: a filter whose input channels are the batch.
  const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] });
  const { top, bottom, left, right } = info.padInfo;
  const g = run(
    'Conv2D',
    { x: xT, filter: dyT },
    {
      strides: [1, 1],
      pad: [
        [0, 0],
        [top, bottom],
        [left, right],
        [0, 0],
      ],
      dataFormat: 'NHWC',
      dilations: [info.strideHeight, info.strideWidth],
    },
  );
  b.disposeData(xT.dataId);
  b.disposeData(dyT.dataId);
  const [kh, kw] = [info.filterHeight, info.filterWidth];
  let cut = g;
  if (g.shape[1] !== kh || g.shape[2] !== kw) {
    cut = run('Slice', { x: g }, { begin: [0, 0, 0, 0], size: [g.shape[0], kh, kw, g.shape[3]] });
    b.disposeData(g.dataId);
  }
  // CHWO -> HWIO: back to the tfjs filter layout.
  const out = run('Transpose', { x: cut }, { perm: [1, 2, 0, 3] });
  b.disposeData(cut.dataId);
  return out;
}

let registered = false;

/** Register {@link conv2dBackpropFilterWasm} once; a no-op if the wasm backend already has the kernel. */
export function registerWasmConvFilterGrad(): void {
  if (registered || tf.getKernel('Conv2DBackpropFilter', 'wasm')) return;
  tf.registerKernel({
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: conv2dBackpropFilterWasm as tf.KernelFunc,
  });
  registered = true;
}
