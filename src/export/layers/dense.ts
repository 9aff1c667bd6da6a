import { inOutToOutIn, permuteDenseRowsNhwcToNchw } from '../layout.js';
import { attr } from '../../onnx/encode.js';
import { foldIntoWeights } from '../fold-batch-norm.js';
import { applyActivation } from './activation.js';
import { addConvNode, optionalBias } from './conv2d.js';
import { singleInput, weight, type LayerConverter } from './types.js';

/**
 * Dense on a [N, features] value: Gemm (x * kernel^T + bias, kernel stored [out, in] with transB=1 like
 * PyTorch's exporter writes it), then the fused activation. When the input is a Flatten of an image held
 * NCHW, the kernel rows are permuted once here so no Transpose is needed.
 *
 * On a higher-rank value tfjs applies the kernel to the last axis. Held channels-first, that axis is the
 * channel axis, so the layer is a 1x1 Conv; held in tfjs order, it is a MatMul and an Add.
 */
export const convertDense: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  const kernel = weight(ctx, 'kernel');
  const [inFeatures, units] = kernel.shape;
  const rank = x.shape.length;
  let bias = optionalBias(ctx);
  if (rank > 2 && x.layout === 'nchw') {
    const k = inOutToOutIn(kernel.values, [inFeatures, units]); // [in, out] -> [out, in, 1, ...]
    const dims = [units, inFeatures, ...Array.from({ length: rank - 2 }, () => 1)];
    const conv = addConvNode(ctx, 'Conv', x.name, { values: k, dims, outAxis: 0 }, bias, []);
    return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, ctx.config.activation);
  }
  if (rank > 2) {
    const k = Float32Array.from(kernel.values);
    if (ctx.fold) bias = foldIntoWeights(k, [inFeatures, units], 1, bias, ctx.fold);
    const g = ctx.graph;
    let out = g.addNode(
      'MatMul',
      [x.name, g.addFloat(`${ctx.name}/kernel`, [inFeatures, units], k)],
      `${ctx.name}/MatMul`,
    );
    if (bias) out = g.addNode('Add', [out, g.addFloat(`${ctx.name}/bias`, [units], bias)], `${ctx.name}/Add`);
    return applyActivation(ctx, { name: out, shape: ctx.outputShape, layout: 'same' }, ctx.config.activation);
  }
  const rows =
    x.layout === 'flat-nchw'
      ? permuteDenseRowsNhwcToNchw(kernel.values, units, x.from!) // NHWC flatten order -> NCHW flatten order
      : kernel.values;
  const outIn = inOutToOutIn(rows, [inFeatures, units]);
  if (ctx.fold) bias = foldIntoWeights(outIn, [units, inFeatures], 0, bias, ctx.fold);
  const inputs = [x.name, ctx.graph.addFloat(`${ctx.name}/kernel`, [units, inFeatures], outIn)];
  if (bias) inputs.push(ctx.graph.addFloat(`${ctx.name}/bias`, [units], bias));
  const gemm = ctx.graph.addNode('Gemm', inputs, `${ctx.name}/Gemm`, [attr.int('transB', 1)]);
  return applyActivation(ctx, { name: gemm, shape: ctx.outputShape, layout: 'same' }, ctx.config.activation);
};
