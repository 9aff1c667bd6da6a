import { attr } from '../../onnx/encode.js';
import { scalar } from './activation.js';
import { asChannelsFirst, heldAxis, inTfjsOrder } from './held.js';
import { UnsupportedLayerError, type ConvertContext, type LayerConverter, type OnnxValue } from './types.js';

/** A flattened map back in tfjs' flatten order (a concatenation of two has no single NCHW order). */
function flatInTfjsOrder(ctx: ConvertContext, x: OnnxValue, base: string): OnnxValue {
  const nhwc = inTfjsOrder(ctx.graph, x, base);
  const name = ctx.graph.addNode('Flatten', [nhwc], `${base}/Flatten`, [attr.int('axis', 1)]);
  return { name, shape: x.shape, layout: 'same' };
}

/**
 * The inputs of a merge held alike: as they are when they already agree (the usual case: every branch
 * channels-first), else channels-first for maps and tfjs order for the rest.
 */
export function alignInputs(ctx: ConvertContext): OnnxValue[] {
  const xs = ctx.inputs;
  if (xs.length < 2) throw new UnsupportedLayerError(ctx, `expected 2 or more inputs, got ${xs.length}`);
  const rank = xs[0].shape.length;
  if (xs.some((x) => x.shape.length !== rank))
    throw new UnsupportedLayerError(ctx, `inputs of different ranks (${xs.map((x) => x.shape.length).join(', ')})`);
  const same = xs.every(
    (x) => x.layout === xs[0].layout && (x.layout !== 'flat-nchw' || x.from!.join() === xs[0].from!.join()),
  );
  if (same) return xs;
  return xs.map((x, i) => {
    const base = `${ctx.name}/input${i}`;
    if (rank >= 3) return asChannelsFirst(ctx.graph, x, base);
    return x.layout === 'flat-nchw' ? flatInTfjsOrder(ctx, x, base) : x;
  });
}

function elementwise(op: 'Add' | 'Sub' | 'Mul' | 'Max' | 'Min', variadic: boolean): LayerConverter {
  return (ctx) => {
    const xs = alignInputs(ctx);
    if (op === 'Sub' && xs.length !== 2) throw new UnsupportedLayerError(ctx, `expected 2 inputs, got ${xs.length}`);
    let out: string;
    if (variadic)
      out = ctx.graph.addNode(
        op,
        xs.map((x) => x.name),
        `${ctx.name}/${op}`,
      );
    else {
      // tfjs adds (multiplies) its inputs one after the other, left to right.
      out = xs[0].name;
      for (let i = 1; i < xs.length; i++)
        out = ctx.graph.addNode(op, [out, xs[i].name], `${ctx.name}/${op}${i === xs.length - 1 ? '' : i}`);
    }
    return { ...xs[0], name: out, shape: ctx.outputShape };
  };
}

/** Add. */
export const convertAdd = elementwise('Add', false);
/** Multiply. */
export const convertMultiply = elementwise('Mul', false);
/** Maximum. */
export const convertMaximum = elementwise('Max', true);
/** Minimum. */
export const convertMinimum = elementwise('Min', true);

/** Average: the inputs added left to right, then multiplied by 1 / n, as tfjs computes it. */
export const convertAverage: LayerConverter = (ctx) => {
  const sum = convertAdd({ ...ctx, name: `${ctx.name}/sum` });
  const out = ctx.graph.addNode(
    'Mul',
    [sum.name, scalar(ctx, `${ctx.name}/inverse_count`, 1 / ctx.inputs.length)],
    `${ctx.name}/Mul`,
  );
  return { ...sum, name: out };
};

/** Concatenate on any axis but the batch, mapped to the axis the graph holds it on. */
export const convertConcatenate: LayerConverter = (ctx) => {
  let xs = alignInputs(ctx);
  const rank = xs[0].shape.length;
  const axis = (ctx.config.axis as number | undefined) ?? -1;
  if (axis === 0 || axis < -rank || axis >= rank)
    throw new UnsupportedLayerError(ctx, `axis ${axis} (any axis but the batch axis 0)`);
  if (xs[0].layout === 'flat-nchw') xs = xs.map((x, i) => flatInTfjsOrder(ctx, x, `${ctx.name}/input${i}`));
  const held = heldAxis(xs[0], axis);
  const out = ctx.graph.addNode(
    'Concat',
    xs.map((x) => x.name),
    `${ctx.name}/Concat`,
    [attr.int('axis', held)],
  );
  return { name: out, shape: ctx.outputShape, layout: xs[0].layout };
};
