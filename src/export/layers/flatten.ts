import { attr } from '../../onnx/encode.js';
import { singleInput, type LayerConverter } from './types.js';

/**
 * Flatten: ONNX Flatten(axis=1). An image held NCHW flattens in NCHW order; the value remembers its
 * [h, w, c] so the next Dense permutes its kernel rows instead of the graph transposing activations.
 */
export const convertFlatten: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const out = ctx.graph.addNode('Flatten', [x.name], `${ctx.name}/Flatten`, [attr.int('axis', 1)]);
  const shape = ctx.outputShape;
  if (x.layout === 'nchw') {
    const [h, w, c] = x.shape.slice(1) as number[];
    // With one channel, or a 1x1 map, both flatten orders coincide.
    if (c === 1 || h * w === 1) return { name: out, shape, layout: 'same' };
    return { name: out, shape, layout: 'flat-nchw', from: [h, w, c] };
  }
  // Flattening an already-flat value changes nothing about its order.
  return { name: out, shape, layout: x.layout === 'flat-nchw' ? 'flat-nchw' : 'same', from: x.from };
};
