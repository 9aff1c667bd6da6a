import { hwioToOihw } from '../layout.js';
import { attr, type AttributeProto } from '../../onnx/encode.js';
import { foldIntoWeights } from '../fold-batch-norm.js';
import { asChannelsFirst } from './held.js';
import { applyActivation } from './activation.js';
import {
  pair,
  requireChannelsLast,
  requireImage,
  singleInput,
  UnsupportedLayerError,
  weight,
  type ConvertContext,
  type LayerConverter,
  type OnnxValue,
  type ChannelAffine,
} from './types.js';

/**
 * Explicit ONNX pads [top, left, bottom, right] for tfjs 'valid' / 'same' padding. 'same' follows
 * TensorFlow: total = max((ceil(in / s) - 1) * s + (k - 1) * d + 1 - in, 0), the odd pixel at the end.
 */
export function spatialPads(
  ctx: ConvertContext,
  padding: unknown,
  inHW: number[],
  kernel: number[],
  strides: number[],
  dilations: number[] = [1, 1],
): number[] {
  if (padding === 'valid') return [0, 0, 0, 0];
  if (padding !== 'same') throw new UnsupportedLayerError(ctx, `padding '${String(padding)}' (supported: valid, same)`);
  const begin: number[] = [];
  const end: number[] = [];
  for (let a = 0; a < 2; a++) {
    const total = Math.max(
      (Math.ceil(inHW[a] / strides[a]) - 1) * strides[a] + (kernel[a] - 1) * dilations[a] + 1 - inHW[a],
      0,
    );
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
  }
  return [...begin, ...end];
}

/** A convolution's weight in ONNX layout, and the axis of its output channels. */
export interface OnnxKernel {
  values: Float32Array;
  dims: number[];
  /** 0 for Conv's [O, I/g, kh, kw], 1 for ConvTranspose's [I, O, kh, kw]. */
  outAxis: number;
}

/**
 * Add a Conv (or ConvTranspose) node reading `kernel` and `bias`, with a following BatchNormalization
 * folded into both when `fold` (by default `ctx.fold`; null for none) is set (then a bias is always written). Returns the node's output name.
 */
export function addConvNode(
  ctx: ConvertContext,
  op: 'Conv' | 'ConvTranspose',
  input: string,
  kernel: OnnxKernel,
  bias: Float32Array | undefined,
  attributes: AttributeProto[],
  suffix = '',
  fold: ChannelAffine | null = ctx.fold ?? null,
): string {
  const g = ctx.graph;
  let b = bias;
  if (fold) b = foldIntoWeights(kernel.values, kernel.dims, kernel.outAxis, bias, fold);
  const inputs = [input, g.addFloat(`${ctx.name}/${suffix}kernel`, kernel.dims, kernel.values)];
  if (b) inputs.push(g.addFloat(`${ctx.name}/${suffix}bias`, [b.length], b));
  return g.addNode(op, inputs, `${ctx.name}/${suffix}${op}`, attributes);
}

/** The bias of a layer when it has one. */
export function optionalBias(ctx: ConvertContext): Float32Array | undefined {
  return ctx.config.useBias !== false ? weight(ctx, 'bias').values : undefined;
}

/**
 * Window attributes of a Conv or pool, each left out where it is the ONNX default (strides and dilations
 * 1, pads 0), which keeps the file lean. A convolution's `kernel_shape` is optional too (its weight's
 * shape says it), so `convolution` leaves it out; pools must have it.
 */
export function windowAttributes(
  kernel: number[],
  strides: number[],
  pads: number[],
  dilations = [1, 1],
  convolution = false,
): AttributeProto[] {
  return [
    ...(convolution ? [] : [attr.ints('kernel_shape', kernel)]),
    ...(strides.some((s) => s !== 1) ? [attr.ints('strides', strides)] : []),
    ...(pads.some((p) => p !== 0) ? [attr.ints('pads', pads)] : []),
    ...(dilations.some((d) => d !== 1) ? [attr.ints('dilations', dilations)] : []),
  ];
}

/** The input of a 2-D window layer, held channels-first. */
export function imageInput(ctx: ConvertContext): OnnxValue {
  requireChannelsLast(ctx);
  const x = asChannelsFirst(ctx.graph, singleInput(ctx), ctx.name);
  requireImage(ctx, x);
  return x;
}

/** Conv2D: Conv with an OIHW kernel, then the fused activation. */
export const convertConv2D: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  const c = ctx.config;
  const kernelSize = pair(c.kernelSize, 1);
  const strides = pair(c.strides, 1);
  const dilations = pair(c.dilationRate, 1);
  const kernel = weight(ctx, 'kernel');
  const [h, w] = x.shape.slice(1, 3) as number[];
  const pads = spatialPads(ctx, c.padding, [h, w], kernelSize, strides, dilations);
  const oihw = hwioToOihw(kernel.values, kernel.shape); // HWIO -> OIHW
  const conv = addConvNode(
    ctx,
    'Conv',
    x.name,
    { ...oihw, outAxis: 0 },
    optionalBias(ctx),
    windowAttributes(kernelSize, strides, pads, dilations, true),
  );
  return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, c.activation);
};
