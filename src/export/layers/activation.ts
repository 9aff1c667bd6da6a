import { attr } from '../../onnx/encode.js';
import {
  singleInput,
  UnsupportedLayerError,
  type ConvertContext,
  type LayerConverter,
  type OnnxValue,
} from './types.js';
import { heldAxis } from './held.js';

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

/** Activations written as a few nodes (tfjs' own formulas, op for op). */
const COMPOSED: Record<string, (ctx: ConvertContext, x: string, base: string) => string> = {
  relu6: (ctx, x, base) => clip(ctx, x, `${base}/Relu6`, 0, 6),
  swish: (ctx, x, base) =>
    ctx.graph.addNode('Mul', [ctx.graph.addNode('Sigmoid', [x], `${base}/Sigmoid`), x], `${base}/Swish`),
  mish: (ctx, x, base) => {
    const g = ctx.graph;
    const t = g.addNode('Tanh', [g.addNode('Softplus', [x], `${base}/Softplus`)], `${base}/Tanh`);
    return g.addNode('Mul', [x, t], `${base}/Mish`);
  },
  gelu: (ctx, x, base) => {
    // x * 0.5 * (1 + erf(x / sqrt(2)))
    const g = ctx.graph;
    const erf = g.addNode(
      'Erf',
      [g.addNode('Div', [x, scalar(ctx, `${base}/sqrt2`, Math.SQRT2)], `${base}/Div`)],
      `${base}/Erf`,
    );
    const cdf = g.addNode(
      'Mul',
      [scalar(ctx, `${base}/half`, 0.5), g.addNode('Add', [scalar(ctx, `${base}/one`, 1), erf], `${base}/Add`)],
      `${base}/Cdf`,
    );
    return g.addNode('Mul', [x, cdf], `${base}/Gelu`);
  },
  gelu_new: (ctx, x, base) => {
    // 0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x^3)))
    const g = ctx.graph;
    const cube = g.addNode('Pow', [x, scalar(ctx, `${base}/three`, 3)], `${base}/Pow`);
    const inner = g.addNode(
      'Add',
      [x, g.addNode('Mul', [scalar(ctx, `${base}/c`, 0.044715), cube], `${base}/MulCube`)],
      `${base}/AddCube`,
    );
    const t = g.addNode(
      'Tanh',
      [g.addNode('Mul', [scalar(ctx, `${base}/k`, Math.sqrt(2 / Math.PI)), inner], `${base}/MulK`)],
      `${base}/Tanh`,
    );
    const onePlus = g.addNode('Add', [scalar(ctx, `${base}/one`, 1), t], `${base}/Add`);
    return g.addNode(
      'Mul',
      [scalar(ctx, `${base}/half`, 0.5), g.addNode('Mul', [x, onePlus], `${base}/MulX`)],
      `${base}/GeluNew`,
    );
  },
};

/** Activation names the exporter converts (tfjs spellings). */
export const SUPPORTED_ACTIVATIONS = [
  'linear',
  ...Object.keys(SIMPLE),
  'softmax',
  'logSoftmax',
  'hardSigmoid',
  ...Object.keys(COMPOSED),
];

/** A float32 scalar constant. */
export function scalar(ctx: ConvertContext, name: string, v: number): string {
  return ctx.graph.addFloat(name, [], new Float32Array([v]));
}

/** Clip(x, lo, hi) with scalar bounds (opset 11+ takes them as inputs). */
export function clip(ctx: ConvertContext, x: string, name: string, lo: number, hi: number): string {
  return ctx.graph.addNode('Clip', [x, scalar(ctx, `${name}/min`, lo), scalar(ctx, `${name}/max`, hi)], name);
}

/**
 * Append the node(s) for a tfjs activation after `v` (fused activations of Conv2D/Dense and the
 * Activation layer). `linear` adds nothing.
 */
export function applyActivation(ctx: ConvertContext, v: OnnxValue, activation: unknown): OnnxValue {
  const name = String(activation ?? 'linear');
  const base = ctx.name;
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
  if (COMPOSED[name]) return { ...v, name: COMPOSED[name](ctx, v.name, base) };
  if (name === 'logSoftmax' || name === 'log_softmax') {
    const axis = v.layout === 'nchw' ? 1 : -1;
    return { ...v, name: ctx.graph.addNode('LogSoftmax', [v.name], `${base}/LogSoftmax`, [attr.int('axis', axis)]) };
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
  const c = ctx.config;
  if ((c.negativeSlope ?? 0) !== 0 || (c.threshold ?? 0) !== 0)
    throw new UnsupportedLayerError(ctx, 'negativeSlope or threshold other than 0');
  const lo = ctx.graph.addFloat(`${ctx.name}/min`, [], new Float32Array([0]));
  const hi = ctx.graph.addFloat(`${ctx.name}/max`, [], new Float32Array([max]));
  return { ...v, name: ctx.graph.addNode('Clip', [v.name, lo, hi], `${ctx.name}/Clip`) };
};

/** Softmax layer over any one axis (the last, like the fused activation, by default). */
export const convertSoftmax: LayerConverter = (ctx) => {
  const raw = ctx.config.axis as number | number[] | undefined;
  const axis = Array.isArray(raw) ? (raw.length === 1 ? raw[0] : NaN) : (raw ?? -1);
  const x = singleInput(ctx);
  const rank = x.shape.length;
  if (!Number.isInteger(axis) || axis === 0 || axis < -rank || axis >= rank)
    throw new UnsupportedLayerError(ctx, `softmax over axis ${JSON.stringify(raw)} (one axis other than the batch)`);
  if (axis === -1 || axis === rank - 1) return applyActivation(ctx, x, 'softmax');
  if (x.layout === 'flat-nchw')
    throw new UnsupportedLayerError(ctx, 'softmax over an axis of a flattened map (only the last axis)');
  const held = heldAxis(x, axis);
  return { ...x, name: ctx.graph.addNode('Softmax', [x.name], `${ctx.name}/Softmax`, [attr.int('axis', held)]) };
};
