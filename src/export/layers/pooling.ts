import { attr } from '../../onnx/encode.js';
import { spatialPads } from './conv2d.js';
import { pair, requireChannelsLast, requireImage, singleInput, type LayerConverter } from './types.js';

function pooling(op: 'MaxPool' | 'AveragePool'): LayerConverter {
  return (ctx) => {
    requireChannelsLast(ctx);
    const x = singleInput(ctx);
    requireImage(ctx, x);
    const poolSize = pair(ctx.config.poolSize, 2);
    const strides = pair(ctx.config.strides ?? ctx.config.poolSize, 2);
    const [h, w] = x.shape.slice(1, 3) as number[];
    const pads = spatialPads(ctx, ctx.config.padding ?? 'valid', [h, w], poolSize, strides);
    // AveragePool's default count_include_pad=0 matches tfjs 'same' averaging over real pixels only.
    const out = ctx.graph.addNode(op, [x.name], `${ctx.layer.name}/${op}`, [
      attr.ints('kernel_shape', poolSize),
      attr.ints('strides', strides),
      ...(pads.some((p) => p !== 0) ? [attr.ints('pads', pads)] : []), // zero pads: the ONNX default
    ]);
    return { name: out, shape: ctx.outputShape, layout: 'nchw' };
  };
}

/** MaxPooling2D. */
export const convertMaxPooling2D = pooling('MaxPool');
/** AveragePooling2D. */
export const convertAveragePooling2D = pooling('AveragePool');
