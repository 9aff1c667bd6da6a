import { hwioToOihw } from '../layout.js';
import { attr } from '../../onnx/encode.js';
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

/** Conv2D: Conv with an OIHW kernel, then the fused activation. */
export const convertConv2D: LayerConverter = (ctx) => {
  requireChannelsLast(ctx);
  const x = singleInput(ctx);
  requireImage(ctx, x);
  const c = ctx.config;
  const kernelSize = pair(c.kernelSize, 1);
  const strides = pair(c.strides, 1);
  const dilations = pair(c.dilationRate, 1);
  const kernel = weight(ctx, 'kernel');
  const [h, w] = x.shape.slice(1, 3) as number[];
  const pads = spatialPads(ctx, c.padding, [h, w], kernelSize, strides, dilations);
  const oihw = hwioToOihw(kernel.values, kernel.shape); // HWIO -> OIHW
  const inputs = [x.name, ctx.graph.addFloat(`${ctx.layer.name}/kernel`, oihw.dims, oihw.values)];
  if (c.useBias !== false) {
    const bias = weight(ctx, 'bias');
    inputs.push(ctx.graph.addFloat(`${ctx.layer.name}/bias`, bias.shape, bias.values));
  }
  const conv = ctx.graph.addNode('Conv', inputs, `${ctx.layer.name}/Conv`, [
    attr.ints('kernel_shape', kernelSize),
    attr.ints('strides', strides),
    // Zero pads and dilation 1 are the ONNX defaults; leaving them out keeps the file lean.
    ...(pads.some((p) => p !== 0) ? [attr.ints('pads', pads)] : []),
    ...(dilations.some((d) => d !== 1) ? [attr.ints('dilations', dilations)] : []),
  ]);
  return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, c.activation);
};
