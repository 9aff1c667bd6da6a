import type * as tf from '@tensorflow/tfjs';
import { hwioToOihw } from './layout.js';
import { applyActivation } from './layers/activation.js';
import { paddingOf } from './layers/zero-padding2d.js';
import { attr } from '../onnx/encode.js';
import { pair, type ConvertContext, type OnnxValue } from './layers/types.js';

/** The contract layers that {@link findContractFold} folds into the first convolution. */
export interface ContractFold {
  pad: tf.layers.Layer;
  standardize: tf.layers.Layer;
  conv: tf.layers.Layer;
}

function onlyConsumer(layer: tf.layers.Layer): tf.layers.Layer | undefined {
  return layer.outboundNodes.length === 1 ? layer.outboundNodes[0].outboundLayer : undefined;
}

/**
 * Find input -> ZeroPadding2D -> Standardize -> Conv2D (valid padding, no dilation), each feeding only the
 * next: the shape in which padding and standardisation can move into the convolution's weights.
 */
export function findContractFold(model: tf.LayersModel): ContractFold | undefined {
  const pad = model.layers.find((l) => l.getClassName() === 'ZeroPadding2D');
  if (!pad || pad.inboundNodes[0]?.inboundLayers[0]?.getClassName() !== 'InputLayer') return undefined;
  const standardize = onlyConsumer(pad);
  if (standardize?.getClassName() !== 'Standardize') return undefined;
  const conv = onlyConsumer(standardize);
  if (conv?.getClassName() !== 'Conv2D') return undefined;
  const c = conv.getConfig() as Record<string, unknown>;
  if (c.padding !== 'valid' || pair(c.dilationRate, 1).some((d) => d !== 1)) return undefined;
  return { pad, standardize, conv };
}

/**
 * The first convolution with the contract folded in, for `--fold-contract`:
 * conv(pad0(x) standardised) = conv'(pad0(x)) with W' = W / std and b' = b - (mean / std) * sum(W) per
 * output channel, and zero padding is the convolution's own `pads`. Exact in real arithmetic; in float32
 * it rounds differently from tfjs, which the parity check measures. Returns the value after the
 * convolution's fused activation.
 */
export function convertFoldedConv(ctx: ConvertContext, fold: ContractFold, input: OnnxValue): OnnxValue {
  const { mean, std } = fold.standardize.getConfig() as { mean: number; std: number };
  const [t, b, l, r] = paddingOf((fold.pad.getConfig() as Record<string, unknown>).padding ?? 1);
  const kernel = ctx.weights.get('kernel')!;
  const [kh, kw, cin, cout] = kernel.shape;
  const scaled = Float32Array.from(kernel.values, (v) => v / std);
  const bias = ctx.config.useBias === false ? new Float32Array(cout) : ctx.weights.get('bias')!.values;
  const folded = new Float32Array(cout);
  for (let o = 0; o < cout; o++) {
    let sum = 0;
    for (let k = 0; k < kh * kw * cin; k++) sum += kernel.values[k * cout + o];
    folded[o] = bias[o] - (mean / std) * sum;
  }
  const oihw = hwioToOihw(scaled, kernel.shape); // HWIO -> OIHW
  const name = ctx.name;
  const conv = ctx.graph.addNode(
    'Conv',
    [
      input.name,
      ctx.graph.addFloat(`${name}/kernel`, oihw.dims, oihw.values),
      ctx.graph.addFloat(`${name}/bias`, [cout], folded),
    ],
    `${name}/Conv`,
    [
      attr.ints('kernel_shape', [kh, kw]),
      attr.ints('strides', pair(ctx.config.strides, 1)),
      attr.ints('pads', [t, l, b, r]),
    ],
  );
  return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, ctx.config.activation);
}
