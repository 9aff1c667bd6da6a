import { permuteFeaturesNhwcToNchw } from '../layout.js';
import { attr } from '../../onnx/encode.js';
import { batchNormAffine } from '../fold-batch-norm.js';
import { singleInput, UnsupportedLayerError, weight, type LayerConverter } from './types.js';

/**
 * BatchNormalization (inference: moving statistics) on the channel axis of an image, or the feature axis
 * of a [N, features] value. ONNX normalises axis 1, which is where both sit in the graph. After a
 * convolution or Dense it is folded into that layer's weights instead (fold-batch-norm.ts).
 */
export const convertBatchNormalization: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const rank = x.shape.length;
  const axis = (ctx.config.axis as number | undefined) ?? -1;
  if (axis !== -1 && axis !== rank - 1)
    throw new UnsupportedLayerError(ctx, `axis ${axis} (only the last, channel axis is supported)`);
  if (rank < 2 || rank > 4) throw new UnsupportedLayerError(ctx, `rank-${rank} input (supported: ranks 2 to 4)`);
  if (x.layout === 'same' && rank > 2) {
    // The channel axis is last here, where ONNX BatchNormalization cannot normalise: y = x * scale + shift.
    const { scale, shift } = batchNormAffine(ctx.layer);
    const g = ctx.graph;
    const mul = g.addNode('Mul', [x.name, g.addFloat(`${ctx.name}/scale`, [scale.length], scale)], `${ctx.name}/Mul`);
    return {
      ...x,
      name: g.addNode('Add', [mul, g.addFloat(`${ctx.name}/shift`, [shift.length], shift)], `${ctx.name}/Add`),
    };
  }
  const mean = weight(ctx, 'moving_mean');
  const variance = weight(ctx, 'moving_variance');
  const n = mean.values.length;
  const gamma = ctx.config.scale === false ? new Float32Array(n).fill(1) : weight(ctx, 'gamma').values;
  const beta = ctx.config.center === false ? new Float32Array(n) : weight(ctx, 'beta').values;
  // Per-feature parameters of a flattened NCHW-held map follow the NCHW flatten order too.
  const order = (v: Float32Array) => (x.layout === 'flat-nchw' ? permuteFeaturesNhwcToNchw(v, x.from!) : v);
  const base = ctx.name;
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
