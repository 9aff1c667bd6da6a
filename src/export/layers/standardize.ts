import { singleInput, type LayerConverter } from './types.js';

/**
 * Standardize (our contract layer, `(x - mean) / std`): Sub then Div with float32 scalars, the same two
 * float operations tfjs performs, so the results match bit for bit rather than through a folded scale.
 */
export const convertStandardize: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const base = ctx.name;
  const mean = ctx.graph.addFloat(`${base}/mean`, [], new Float32Array([ctx.config.mean as number]));
  const std = ctx.graph.addFloat(`${base}/std`, [], new Float32Array([ctx.config.std as number]));
  const centred = ctx.graph.addNode('Sub', [x.name, mean], `${base}/Sub`);
  return { ...x, name: ctx.graph.addNode('Div', [centred, std], `${base}/Div`) };
};
