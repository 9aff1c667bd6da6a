import { attr } from '../../onnx/encode.js';
import type { GraphBuilder } from '../graph.js';
import { singleInput, UnsupportedLayerError, type LayerConverter, type OnnxValue } from './types.js';

/**
 * The ONNX name of `x` in tfjs element order. Reshape re-reads memory, so here (and only here) an
 * NCHW-held value must be put back into NHWC order; with one channel or a 1x1 map the orders coincide.
 */
export function inTfjsOrder(graph: GraphBuilder, x: OnnxValue, base: string): string {
  if (x.layout === 'nchw') {
    const [h, w, c] = x.shape.slice(1) as number[];
    if (c === 1 || h * w === 1) return x.name;
    return graph.addNode('Transpose', [x.name], `${base}/ToNHWC`, [attr.ints('perm', [0, 2, 3, 1])]); // NCHW -> NHWC
  }
  if (x.layout === 'flat-nchw') {
    const [h, w, c] = x.from!;
    const shape = graph.addInt64(`${base}/unflatten_shape`, [4], [-1, c, h, w]);
    const map = graph.addNode('Reshape', [x.name, shape], `${base}/Unflatten`);
    const nhwc = graph.addNode('Transpose', [map], `${base}/ToNHWC`, [attr.ints('perm', [0, 2, 3, 1])]); // NCHW -> NHWC
    return nhwc;
  }
  return x.name;
}

/** Reshape: ONNX Reshape to the static tfjs output shape, keeping images NCHW in the graph. */
export const convertReshape: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const target = ctx.outputShape.slice(1);
  if (target.some((d) => d === null))
    throw new UnsupportedLayerError(ctx, `dynamic target shape [${target.join(', ')}]`);
  const dims = target as number[];
  const source = inTfjsOrder(ctx.graph, x, ctx.layer.name);
  const base = ctx.layer.name;
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
