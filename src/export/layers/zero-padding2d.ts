import { requireChannelsLast, requireImage, singleInput, type LayerConverter } from './types.js';

/** tfjs padding config: n, [h, w] or [[top, bottom], [left, right]] -> [top, bottom, left, right]. */
export function paddingOf(v: unknown): [number, number, number, number] {
  if (typeof v === 'number') return [v, v, v, v];
  const a = v as Array<number | number[]>;
  if (typeof a[0] === 'number') return [a[0], a[0], a[1] as number, a[1] as number];
  const [[t, b], [l, r]] = a as number[][];
  return [t, b, l, r];
}

/** ZeroPadding2D: Pad (constant 0) on the H and W axes of the NCHW-held image. */
export const convertZeroPadding2D: LayerConverter = (ctx) => {
  requireChannelsLast(ctx);
  const x = singleInput(ctx);
  requireImage(ctx, x);
  const [t, b, l, r] = paddingOf(ctx.config.padding ?? 1);
  // ONNX pads: all begins (N, C, H, W), then all ends.
  const pads = ctx.graph.addInt64(`${ctx.name}/pads`, [8], [0, 0, t, l, 0, 0, b, r]);
  const out = ctx.graph.addNode('Pad', [x.name, pads], `${ctx.name}/Pad`);
  return { name: out, shape: ctx.outputShape, layout: 'nchw' };
};
