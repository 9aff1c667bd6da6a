import { attr } from '../../onnx/encode.js';
import {
  singleInput,
  UnsupportedLayerError,
  type ConvertContext,
  type LayerConverter,
  type OnnxValue,
} from './types.js';

/** tfjs activation identifiers (serialized and camelCase spellings) -> how to write them. */
const SIMPLE: Record<string, string> = {
  relu: 'Relu',
  tanh: 'Tanh',
  sigmoid: 'Sigmoid',
  elu: 'Elu',
  selu: 'Selu',
  softplus: 'Softplus',
  softsign: 'Softsign',
};

/** Activation names the exporter converts. */
export const SUPPORTED_ACTIVATIONS = ['linear', ...Object.keys(SIMPLE), 'softmax', 'hard_sigmoid'];

/**
 * Append the node(s) for a tfjs activation after `v` (fused activations of Conv2D/Dense and the
 * Activation layer). `linear` adds nothing.
 */
export function applyActivation(ctx: ConvertContext, v: OnnxValue, activation: unknown): OnnxValue {
  const name = String(activation ?? 'linear');
  const base = ctx.layer.name;
  if (name === 'linear') return v;
  if (SIMPLE[name]) {
    const op = SIMPLE[name];
    // tfjs elu uses alpha 1 and selu the standard constants, which are also the ONNX defaults.
    return { ...v, name: ctx.graph.addNode(op, [v.name], `${base}/${op}`) };
  }
  if (name === 'hard_sigmoid' || name === 'hardSigmoid') {
    // tfjs: clip(0.2 x + 0.5, 0, 1)
    return {
      ...v,
      name: ctx.graph.addNode('HardSigmoid', [v.name], `${base}/HardSigmoid`, [
        attr.float('alpha', 0.2),
        attr.float('beta', 0.5),
      ]),
    };
  }
  if (name === 'softmax') {
    // tfjs softmax normalises the last axis; in an NCHW-held image that is the channel axis 1. Over a
    // flattened map it normalises all features, which does not depend on their order.
    const axis = v.layout === 'nchw' ? 1 : -1;
    return { ...v, name: ctx.graph.addNode('Softmax', [v.name], `${base}/Softmax`, [attr.int('axis', axis)]) };
  }
  throw new UnsupportedLayerError(ctx, `activation '${name}' (supported: ${SUPPORTED_ACTIVATIONS.join(', ')})`);
}

/** Activation layer. */
export const convertActivation: LayerConverter = (ctx) => applyActivation(ctx, singleInput(ctx), ctx.config.activation);

/** ReLU layer (with its optional maxValue cap as Clip). */
export const convertReLU: LayerConverter = (ctx) => {
  const v = singleInput(ctx);
  const max = ctx.config.maxValue as number | null | undefined;
  if (max === null || max === undefined) return applyActivation(ctx, v, 'relu');
  const lo = ctx.graph.addFloat(`${ctx.layer.name}/min`, [], new Float32Array([0]));
  const hi = ctx.graph.addFloat(`${ctx.layer.name}/max`, [], new Float32Array([max]));
  return { ...v, name: ctx.graph.addNode('Clip', [v.name, lo, hi], `${ctx.layer.name}/Clip`) };
};

/** Softmax layer (last axis only, like the fused activation). */
export const convertSoftmax: LayerConverter = (ctx) => {
  const axis = ctx.config.axis as number | number[] | undefined;
  if (axis !== undefined && axis !== -1 && !(Array.isArray(axis) && axis.length === 1 && axis[0] === -1)) {
    throw new UnsupportedLayerError(ctx, `softmax over axis ${JSON.stringify(axis)} (only the last axis is supported)`);
  }
  return applyActivation(ctx, singleInput(ctx), 'softmax');
};
