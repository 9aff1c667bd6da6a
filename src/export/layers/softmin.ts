import { attr } from '../proto.js';
import { singleInput, UnsupportedLayerError, type LayerConverter } from './types.js';

/** Softmin (softmax of the negated last axis): Neg, then Softmax over the last axis. */
export const convertSoftmin: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  if (x.layout === 'nchw') throw new UnsupportedLayerError(ctx, 'expected a flat [N, classes] input, got an image');
  const base = ctx.layer.name;
  const negated = ctx.graph.addNode('Neg', [x.name], `${base}/Neg`);
  return { ...x, name: ctx.graph.addNode('Softmax', [negated], `${base}/Softmax`, [attr.int('axis', -1)]) };
};
