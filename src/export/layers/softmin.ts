import { attr } from '../../onnx/encode.js';
import { singleInput, UnsupportedLayerError, type LayerConverter } from './types.js';

/** Softmin (softmax(-scale * x) over the last axis): Mul by the float32 -scale, then Softmax. */
export const convertSoftmin: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  if (x.layout === 'nchw') throw new UnsupportedLayerError(ctx, 'expected a flat [N, classes] input, got an image');
  const base = ctx.name;
  const factor = ctx.graph.addFloat(
    `${base}/neg_scale`,
    [],
    new Float32Array([-((ctx.config.scale as number | undefined) ?? 1)]),
  );
  const scaled = ctx.graph.addNode('Mul', [x.name, factor], `${base}/Mul`);
  return { ...x, name: ctx.graph.addNode('Softmax', [scaled], `${base}/Softmax`, [attr.int('axis', -1)]) };
};
