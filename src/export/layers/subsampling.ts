import { attr } from '../../onnx/encode.js';
import { requireImage, singleInput, weight, type LayerConverter } from './types.js';

/**
 * Subsampling (classic LeNet-5 S2/S4: block sum * coefficient + bias, per map): AveragePool, then Mul by
 * `coefficient * poolSize^2` and Add `bias`, both shaped [1, C, 1, 1] to broadcast over the NCHW-held
 * image. The same operations as the tfjs layer (average pool times a scaled coefficient) rather than a
 * grouped Conv, and the graph's stored floats stay the layer's 2 per map.
 */
export const convertSubsampling: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireImage(ctx, x);
  const p = ctx.config.poolSize as number;
  const base = ctx.name;
  const coefficient = weight(ctx, 'coefficient');
  const bias = weight(ctx, 'bias');
  const maps = coefficient.values.length;
  // tfjs scales the float32 coefficient by p*p in float32; Math.fround of the double product is the same value.
  const scale = Float32Array.from(coefficient.values, (c) => Math.fround(c * p * p));
  const pooled = ctx.graph.addNode('AveragePool', [x.name], `${base}/AveragePool`, [
    attr.ints('kernel_shape', [p, p]),
    attr.ints('strides', [p, p]),
    attr.ints('pads', [0, 0, 0, 0]),
  ]);
  const scaled = ctx.graph.addNode(
    'Mul',
    [pooled, ctx.graph.addFloat(`${base}/scale`, [1, maps, 1, 1], scale)],
    `${base}/Mul`,
  );
  const out = ctx.graph.addNode(
    'Add',
    [scaled, ctx.graph.addFloat(`${base}/bias`, [1, maps, 1, 1], bias.values)],
    `${base}/Add`,
  );
  return { name: out, shape: ctx.outputShape, layout: 'nchw' };
};
