import { attr } from '../../onnx/encode.js';
import { bitmapsToCentres } from '../../train/layers/digit-bitmaps.js';
import { permuteFeaturesNhwcToNchw } from '../layout.js';
import { addIntegerConstantAsFloat } from './fixed-constants.js';
import { singleInput, UnsupportedLayerError, type LayerConverter } from './types.js';

/**
 * EuclideanRbf (classic LeNet-5 output, squared distance to each fixed bitmap): Unsqueeze [N, L] ->
 * [N, 1, L], Sub the centres [K, L] -> [N, K, L], Mul by itself, ReduceSum over the last axis -> [N, K].
 * The same difference-square-sum the tfjs layer computes, not the Gemm expansion, to keep parity tight.
 * The +/-1 centres are fixed, not learned: stored as INT8 and cast, so they do not count as parameters.
 */
export const convertEuclideanRbf: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  if (x.shape.length !== 2)
    throw new UnsupportedLayerError(ctx, `expected an [N, features] input, got [${x.shape.join(', ')}]`);
  const { centres, count, length } = bitmapsToCentres(ctx.config.bitmaps as string[][]);
  if (x.layout === 'flat-nchw') {
    // NHWC flatten order -> NCHW flatten order, per centre, so the distances see matching features.
    for (let k = 0; k < count; k++)
      centres.set(permuteFeaturesNhwcToNchw(centres.subarray(k * length, (k + 1) * length), x.from!), k * length);
  }
  const base = ctx.name;
  const axis1 = ctx.graph.addInt64(`${base}/axis1`, [1], [1]);
  const axis2 = ctx.graph.addInt64(`${base}/axis2`, [1], [2]);
  const expanded = ctx.graph.addNode('Unsqueeze', [x.name, axis1], `${base}/Unsqueeze`);
  const diff = ctx.graph.addNode(
    'Sub',
    [expanded, addIntegerConstantAsFloat(ctx.graph, `${base}/centres`, [count, length], Int8Array.from(centres))],
    `${base}/Sub`,
  );
  const squared = ctx.graph.addNode('Mul', [diff, diff], `${base}/Mul`);
  const out = ctx.graph.addNode('ReduceSum', [squared, axis2], `${base}/ReduceSum`, [attr.int('keepdims', 0)]);
  return { name: out, shape: ctx.outputShape, layout: 'same' };
};
