import { attr } from '../../onnx/encode.js';
import { channelsFirstAxes, heldAxes } from './held.js';
import { singleInput, UnsupportedLayerError, type LayerConverter } from './types.js';

/**
 * Permute: one Transpose from the order the graph holds the input in straight to the order it holds the
 * output in (channels-first when the output is a rank-3 or rank-4 map), never a pair.
 */
export const convertPermute: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  if (x.layout === 'flat-nchw') throw new UnsupportedLayerError(ctx, 'Permute of a flattened map');
  const dims = ctx.config.dims as number[];
  const rank = x.shape.length;
  const tfjsPerm = [0, ...dims]; // output tfjs axis i is input tfjs axis tfjsPerm[i]
  const outLayout = rank === 3 || rank === 4 ? 'nchw' : 'same';
  const outHeld = outLayout === 'nchw' ? channelsFirstAxes(rank) : tfjsPerm.map((_, i) => i);
  const inHeld = heldAxes(x);
  const perm = outHeld.map((a) => inHeld.indexOf(tfjsPerm[a]));
  if (perm.every((p, i) => p === i)) return { name: x.name, shape: ctx.outputShape, layout: outLayout };
  const out = ctx.graph.addNode('Transpose', [x.name], `${ctx.name}/Transpose`, [attr.ints('perm', perm)]);
  return { name: out, shape: ctx.outputShape, layout: outLayout };
};
