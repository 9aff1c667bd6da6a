import { attr } from '../../onnx/encode.js';
import { imageInput, spatialPads, windowAttributes } from './conv2d.js';
import { asChannelsFirst } from './held.js';
import {
  pair,
  requireChannelsLast,
  singleInput,
  UnsupportedLayerError,
  type ConvertContext,
  type LayerConverter,
  type OnnxValue,
} from './types.js';

function pooling(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (ctx) => {
    const x = imageInput(ctx);
    const poolSize = pair(ctx.config.poolSize, 2);
    const strides = pair(ctx.config.strides ?? ctx.config.poolSize, 2);
    const [h, w] = x.shape.slice(1, 3) as number[];
    const pads = spatialPads(ctx, ctx.config.padding ?? 'valid', [h, w], poolSize, strides);
    // AveragePool's default count_include_pad=0 matches tfjs 'same' averaging over real pixels only.
    const out = ctx.graph.addNode(op, [x.name], `${ctx.name}/${op}`, windowAttributes(poolSize, strides, pads));
    return { name: out, shape: ctx.outputShape, layout: 'nchw' };
  };
}

/** A rank-3 [N, steps, channels] input held channels-first. */
function sequenceInput(ctx: ConvertContext): OnnxValue {
  requireChannelsLast(ctx);
  const x = asChannelsFirst(ctx.graph, singleInput(ctx), ctx.name);
  if (x.layout !== 'nchw' || x.shape.length !== 3)
    throw new UnsupportedLayerError(ctx, `expected a rank-3 [N, steps, channels] input, got [${x.shape.join(', ')}]`);
  return x;
}

function first(v: unknown, fallback: number): number {
  return v === undefined || v === null ? fallback : Array.isArray(v) ? (v[0] as number) : (v as number);
}

function pooling1d(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (ctx) => {
    const x = sequenceInput(ctx);
    const size = first(ctx.config.poolSize, 2);
    const stride = first(ctx.config.strides, size);
    const [begin, , end] = spatialPads(
      ctx,
      ctx.config.padding ?? 'valid',
      [x.shape[1] as number, 1],
      [size, 1],
      [stride, 1],
    );
    const out = ctx.graph.addNode(op, [x.name], `${ctx.name}/${op}`, windowAttributes([size], [stride], [begin, end]));
    return { name: out, shape: ctx.outputShape, layout: 'nchw' };
  };
}

function globalPooling(op: 'ReduceMean' | 'ReduceMax', rank: 3 | 4): LayerConverter {
  return (ctx) => {
    const x = rank === 4 ? imageInput(ctx) : sequenceInput(ctx);
    const axes = rank === 4 ? [2, 3] : [2];
    const keep = ctx.config.keepDims === true;
    const out = ctx.graph.addNode(op, [x.name], `${ctx.name}/${op}`, [
      attr.ints('axes', axes),
      attr.int('keepdims', keep ? 1 : 0),
    ]);
    // Kept dims of size 1 leave a channels-first map; without them [N, C] is the same in both orders.
    return { name: out, shape: ctx.outputShape, layout: keep ? 'nchw' : 'same' };
  };
}

/** MaxPooling2D. */
export const convertMaxPooling2D = pooling('MaxPool');
/** AveragePooling2D. */
export const convertAveragePooling2D = pooling('AveragePool');
/** MaxPooling1D. */
export const convertMaxPooling1D = pooling1d('MaxPool');
/** AveragePooling1D. */
export const convertAveragePooling1D = pooling1d('AveragePool');
/** GlobalAveragePooling2D: ReduceMean over H and W. */
export const convertGlobalAveragePooling2D = globalPooling('ReduceMean', 4);
/** GlobalMaxPooling2D: ReduceMax over H and W. */
export const convertGlobalMaxPooling2D = globalPooling('ReduceMax', 4);
/** GlobalAveragePooling1D. */
export const convertGlobalAveragePooling1D = globalPooling('ReduceMean', 3);
/** GlobalMaxPooling1D. */
export const convertGlobalMaxPooling1D = globalPooling('ReduceMax', 3);
