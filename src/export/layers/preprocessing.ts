import { scalar } from './activation.js';
import { singleInput, type LayerConverter } from './types.js';

/** Rescaling: x * scale + offset, in tfjs' order of operations (the Add left out when offset is 0). */
export const convertRescaling: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const scale = (ctx.config.scale as number | undefined) ?? 1;
  const offset = (ctx.config.offset as number | undefined) ?? 0;
  let out = ctx.graph.addNode('Mul', [x.name, scalar(ctx, `${ctx.name}/scale`, scale)], `${ctx.name}/Mul`);
  if (offset !== 0) out = ctx.graph.addNode('Add', [out, scalar(ctx, `${ctx.name}/offset`, offset)], `${ctx.name}/Add`);
  return { ...x, name: out };
};
