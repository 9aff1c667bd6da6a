import { singleInput, type LayerConverter } from './types.js';

/**
 * ScaledTanh (classic LeNet-5 squashing, `amplitude * tanh(slope * x)`): Mul, Tanh, Mul with float32
 * scalars, the same three operations in the same order as the tfjs layer. Element-wise, so the value
 * keeps whatever layout it had.
 */
export const convertScaledTanh: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const base = ctx.name;
  const slope = ctx.graph.addFloat(`${base}/slope`, [], new Float32Array([ctx.config.slope as number]));
  const amplitude = ctx.graph.addFloat(`${base}/amplitude`, [], new Float32Array([ctx.config.amplitude as number]));
  const scaled = ctx.graph.addNode('Mul', [x.name, slope], `${base}/Mul_slope`);
  const t = ctx.graph.addNode('Tanh', [scaled], `${base}/Tanh`);
  return { ...x, name: ctx.graph.addNode('Mul', [t, amplitude], `${base}/Mul_amplitude`) };
};
