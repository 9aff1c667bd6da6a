import { attr } from '../../onnx/encode.js';
import { imageInput } from './conv2d.js';
import { pair, UnsupportedLayerError, type ConvertContext, type LayerConverter, type OnnxValue } from './types.js';

/** Cropping2D: Slice of H and W (held axes 2 and 3). */
export const convertCropping2D: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  const c = ctx.config.cropping as number | number[] | number[][] | undefined;
  let t: number, b: number, l: number, r: number;
  if (c === undefined || typeof c === 'number') t = b = l = r = c ?? 0;
  else if (typeof c[0] === 'number') [t, b, l, r] = [c[0], c[0], c[1] as number, c[1] as number];
  else [[t, b], [l, r]] = c as number[][];
  const [h, w] = x.shape.slice(1, 3) as number[];
  const g = ctx.graph;
  const out = g.addNode(
    'Slice',
    [
      x.name,
      g.addInt64(`${ctx.name}/starts`, [2], [t, l]),
      g.addInt64(`${ctx.name}/ends`, [2], [h - b, w - r]),
      g.addInt64(`${ctx.name}/axes`, [2], [2, 3]),
    ],
    `${ctx.name}/Slice`,
  );
  return { name: out, shape: ctx.outputShape, layout: 'nchw' };
};

/**
 * A Resize to `outputShape`: tfjs' resizeNearestNeighbor and resizeBilinear without half-pixel centres
 * are ONNX's `asymmetric` transform (nearest rounding down), or `align_corners` (nearest rounding half up)
 * when tfjs aligns corners.
 */
function resize(
  ctx: ConvertContext,
  x: OnnxValue,
  interpolation: unknown,
  alignCorners: boolean,
  [oh, ow]: number[],
): OnnxValue {
  if (interpolation !== 'nearest' && interpolation !== 'bilinear')
    throw new UnsupportedLayerError(ctx, `interpolation '${String(interpolation)}' (supported: nearest, bilinear)`);
  const [ih, iw] = x.shape.slice(1, 3) as number[];
  const g = ctx.graph;
  const exact = oh % ih === 0 && ow % iw === 0 && !alignCorners;
  // Integer factors as scales (what PyTorch and Keras exporters write); any other size as sizes.
  const inputs = exact
    ? [x.name, '', g.addFloat(`${ctx.name}/scales`, [4], new Float32Array([1, 1, oh / ih, ow / iw]))]
    : [x.name, '', '', shapeWithSpatial(ctx, x, oh, ow)];
  const out = g.addNode('Resize', inputs, `${ctx.name}/Resize`, [
    // 'nearest' is the default mode.
    ...(interpolation === 'nearest' ? [] : [attr.string('mode', 'linear')]),
    attr.string('coordinate_transformation_mode', alignCorners ? 'align_corners' : 'asymmetric'),
    ...(interpolation === 'nearest' ? [attr.string('nearest_mode', alignCorners ? 'round_prefer_ceil' : 'floor')] : []),
  ]);
  return { name: out, shape: [x.shape[0], oh, ow, x.shape[3]], layout: 'nchw' };
}

/** Resize's `sizes` [N, C, oh, ow]: sizes must name every axis, and N is only known at run time. */
function shapeWithSpatial(ctx: ConvertContext, x: OnnxValue, oh: number, ow: number): string {
  const g = ctx.graph;
  const shape = g.addNode('Shape', [x.name], `${ctx.name}/Shape`);
  const nc = g.addNode(
    'Slice',
    [shape, g.addInt64(`${ctx.name}/nc_start`, [1], [0]), g.addInt64(`${ctx.name}/nc_end`, [1], [2])],
    `${ctx.name}/BatchChannels`,
  );
  return g.addNode('Concat', [nc, g.addInt64(`${ctx.name}/spatial`, [2], [oh, ow])], `${ctx.name}/Sizes`, [
    attr.int('axis', 0),
  ]);
}

/** UpSampling2D (nearest or bilinear) by integer factors. */
export const convertUpSampling2D: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  pair(ctx.config.size, 2);
  return resize(ctx, x, ctx.config.interpolation ?? 'nearest', false, ctx.outputShape.slice(1, 3) as number[]);
};

/**
 * Resizing (a static target size): tfjs aligns corners unless cropToAspectRatio is set. The size comes
 * from the config: tfjs 4's Resizing declares an output shape without the batch axis.
 */
export const convertResizing: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  const size = [ctx.config.height as number, ctx.config.width as number];
  return resize(ctx, x, ctx.config.interpolation ?? 'bilinear', ctx.config.cropToAspectRatio !== true, size);
};
