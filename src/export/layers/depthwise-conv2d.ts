import { attr } from '../../onnx/encode.js';
import { hwioToOihw } from '../layout.js';
import { applyActivation } from './activation.js';
import { addConvNode, imageInput, optionalBias, spatialPads, windowAttributes } from './conv2d.js';
import {
  pair,
  UnsupportedLayerError,
  weight,
  type ConvertContext,
  type LayerConverter,
  type OnnxValue,
} from './types.js';

/**
 * The depthwise part of DepthwiseConv2D and SeparableConv2D: a grouped Conv (one group per input channel).
 * tfjs' [kh, kw, cin, multiplier] kernel has the memory of an HWIO kernel [kh, kw, 1, cin * multiplier]
 * whose output channel c * multiplier + m is what ONNX's grouped Conv writes there, so the one HWIO -> OIHW
 * conversion gives the [cin * multiplier, 1, kh, kw] weight.
 */
export function addDepthwise(
  ctx: ConvertContext,
  x: OnnxValue,
  kernelName: string,
  bias: Float32Array | undefined,
  suffix: string,
  withFold: boolean,
): string {
  const c = ctx.config;
  const kernelSize = pair(c.kernelSize, 1);
  const strides = pair(c.strides, 1);
  const dilations = pair(c.dilationRate, 1);
  const kernel = weight(ctx, kernelName);
  const [kh, kw, cin, multiplier] = kernel.shape;
  const [h, w] = x.shape.slice(1, 3) as number[];
  const pads = spatialPads(ctx, c.padding, [h, w], kernelSize, strides, dilations);
  const oihw = hwioToOihw(kernel.values, [kh, kw, 1, cin * multiplier]); // HWIO -> OIHW, one input per group
  return addConvNode(
    ctx,
    'Conv',
    x.name,
    { ...oihw, outAxis: 0 },
    bias,
    [attr.int('group', cin), ...windowAttributes(kernelSize, strides, pads, dilations, true)],
    suffix,
    withFold ? (ctx.fold ?? null) : null,
  );
}

/** DepthwiseConv2D (any depth multiplier): a grouped Conv, then the fused activation. */
export const convertDepthwiseConv2D: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  if (pair(ctx.config.dilationRate, 1).some((d) => d !== 1))
    throw new UnsupportedLayerError(
      ctx,
      `dilationRate ${JSON.stringify(ctx.config.dilationRate)}: tfjs ignores it when DepthwiseConv2D runs, so the layer computes something other than its declared shape; use dilation 1 (or a SeparableConv2D)`,
    );
  const conv = addDepthwise(ctx, x, 'depthwise_kernel', optionalBias(ctx), '', true);
  return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, ctx.config.activation);
};
