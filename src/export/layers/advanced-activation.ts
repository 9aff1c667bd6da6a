import { attr } from '../../onnx/encode.js';
import { permuteFeaturesNhwcToNchw, transposeParameter } from '../layout.js';
import { heldAxes } from './held.js';
import { singleInput, weight, type LayerConverter } from './types.js';

/** LeakyReLU: LeakyRelu with tfjs' alpha (0.3 unless set). */
export const convertLeakyReLU: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const alpha = (ctx.config.alpha as number | undefined) ?? 0.3;
  return {
    ...x,
    name: ctx.graph.addNode('LeakyRelu', [x.name], `${ctx.name}/LeakyRelu`, [attr.float('alpha', alpha)]),
  };
};

/** ELU layer: Elu with its alpha (1 unless set). */
export const convertELU: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const alpha = (ctx.config.alpha as number | undefined) ?? 1;
  return { ...x, name: ctx.graph.addNode('Elu', [x.name], `${ctx.name}/Elu`, [attr.float('alpha', alpha)]) };
};

/** ThresholdedReLU: ThresholdedRelu with its theta (1 unless set). */
export const convertThresholdedReLU: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const theta = (ctx.config.theta as number | undefined) ?? 1;
  return {
    ...x,
    name: ctx.graph.addNode('ThresholdedRelu', [x.name], `${ctx.name}/ThresholdedRelu`, [attr.float('alpha', theta)]),
  };
};

/**
 * PReLU: PRelu with the learned slopes laid out as the graph holds the value (channels-first for images,
 * NCHW flatten order after a Flatten), so they broadcast without a Transpose.
 */
export const convertPReLU: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const alpha = weight(ctx, 'alpha');
  let values = alpha.values;
  let dims = alpha.shape;
  if (x.layout === 'nchw') {
    const perm = heldAxes(x)
      .slice(1)
      .map((a) => a - 1);
    values = transposeParameter(values, dims, perm);
    dims = perm.map((a) => dims[a]);
  } else if (x.layout === 'flat-nchw' && dims[0] !== 1) {
    values = permuteFeaturesNhwcToNchw(values, x.from!);
  }
  const slope = ctx.graph.addFloat(`${ctx.name}/alpha`, dims, values);
  return { ...x, name: ctx.graph.addNode('PRelu', [x.name, slope], `${ctx.name}/PRelu`) };
};
