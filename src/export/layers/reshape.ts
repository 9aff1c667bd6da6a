import { attr } from '../../onnx/encode.js';
import { inTfjsOrder } from './held.js';
import { singleInput, UnsupportedLayerError, type LayerConverter } from './types.js';

/** Reshape: ONNX Reshape to the static tfjs output shape, keeping images NCHW in the graph. */
export const convertReshape: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const target = ctx.outputShape.slice(1);
  if (target.some((d) => d === null))
    throw new UnsupportedLayerError(ctx, `dynamic target shape [${target.join(', ')}]`);
  const dims = target as number[];
  const source = inTfjsOrder(ctx.graph, x, ctx.name);
  const base = ctx.name;
  if (dims.length === 3) {
    const [h, w, c] = dims;
    if (c === 1 || h * w === 1) {
      // One channel: the NHWC result already has NCHW memory order.
      const shape = ctx.graph.addInt64(`${base}/shape`, [4], [-1, c, h, w]);
      return {
        name: ctx.graph.addNode('Reshape', [source, shape], `${base}/Reshape`),
        shape: ctx.outputShape,
        layout: 'nchw',
      };
    }
    const shape = ctx.graph.addInt64(`${base}/shape`, [4], [-1, h, w, c]);
    const nhwc = ctx.graph.addNode('Reshape', [source, shape], `${base}/Reshape`);
    const out = ctx.graph.addNode('Transpose', [nhwc], `${base}/ToNCHW`, [attr.ints('perm', [0, 3, 1, 2])]); // NHWC -> NCHW
    return { name: out, shape: ctx.outputShape, layout: 'nchw' };
  }
  const shape = ctx.graph.addInt64(`${base}/shape`, [dims.length + 1], [-1, ...dims]);
  return {
    name: ctx.graph.addNode('Reshape', [source, shape], `${base}/Reshape`),
    shape: ctx.outputShape,
    layout: 'same',
  };
};

export { inTfjsOrder };
