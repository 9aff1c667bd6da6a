import { permuteFeaturesNhwcToNchw } from '../layout.js';
import { attr } from '../../onnx/encode.js';
import { singleInput, UnsupportedLayerError, weight, type LayerConverter } from './types.js';

/**
 * BatchNormalization (inference: moving statistics) on the channel axis of an image, or the feature axis
 * of a [N, features] value. ONNX normalises axis 1, which is where both sit in the graph.
 */
export const convertBatchNormalization: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const rank = x.shape.length;
  const axis = (ctx.config.axis as number | undefined) ?? -1;
  if (axis !== -1 && axis !== rank - 1)
    throw new UnsupportedLayerError(ctx, `axis ${axis} (only the last, channel axis is supported)`);
  if (rank !== 2 && rank !== 4)
    throw new UnsupportedLayerError(ctx, `rank-${rank} input (supported: [N, features], [N, H, W, C])`);
  const mean = weight(ctx, 'moving_mean');
  const variance = weight(ctx, 'moving_variance');
  const n = mean.values.length;
  const gamma = ctx.config.scale === false ? new Float32Array(n).fill(1) : weight(ctx, 'gamma').values;
  const beta = ctx.config.center === false ? new Float32Array(n) : weight(ctx, 'beta').values;
  // Per-feature parameters of a flattened NCHW-held map follow the NCHW flatten order too.
  const order = (v: Float32Array) => (x.layout === 'flat-nchw' ? permuteFeaturesNhwcToNchw(v, x.from!) : v);
  const base = ctx.layer.name;
  const g = ctx.graph;
  const out = g.addNode(
    'BatchNormalization',
    [
      x.name,
      g.addFloat(`${base}/gamma`, [n], order(gamma)),
      g.addFloat(`${base}/beta`, [n], order(beta)),
      g.addFloat(`${base}/moving_mean`, [n], order(mean.values)),
      g.addFloat(`${base}/moving_variance`, [n], order(variance.values)),
    ],
    `${base}/BatchNormalization`,
    [attr.float('epsilon', (ctx.config.epsilon as number | undefined) ?? 1e-3)],
  );
  return { ...x, name: out };
};
