import { inOutToOutIn, permuteDenseRowsNhwcToNchw } from '../layout.js';
import { attr } from '../../onnx/encode.js';
import { applyActivation } from './activation.js';
import { singleInput, UnsupportedLayerError, weight, type LayerConverter } from './types.js';

/**
 * Dense on a [N, features] value: Gemm (x * kernel^T + bias, kernel stored [out, in] with transB=1 like
 * PyTorch's exporter writes it), then the fused activation. When the input is a Flatten of an image held
 * NCHW, the kernel rows are permuted once here so no Transpose is needed.
 */
export const convertDense: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  if (x.shape.length !== 2) {
    throw new UnsupportedLayerError(
      ctx,
      `Dense on a rank-${x.shape.length} input (only [N, features] is supported; add a Flatten)`,
    );
  }
  const kernel = weight(ctx, 'kernel');
  const [inFeatures, units] = kernel.shape;
  const rows =
    x.layout === 'flat-nchw'
      ? permuteDenseRowsNhwcToNchw(kernel.values, units, x.from!) // NHWC flatten order -> NCHW flatten order
      : kernel.values;
  const inputs = [
    x.name,
    ctx.graph.addFloat(`${ctx.layer.name}/kernel`, [units, inFeatures], inOutToOutIn(rows, [inFeatures, units])),
  ];
  if (ctx.config.useBias !== false) {
    const bias = weight(ctx, 'bias');
    inputs.push(ctx.graph.addFloat(`${ctx.layer.name}/bias`, bias.shape, bias.values));
  }
  const gemm = ctx.graph.addNode('Gemm', inputs, `${ctx.layer.name}/Gemm`, [attr.int('transB', 1)]);
  return applyActivation(ctx, { name: gemm, shape: ctx.outputShape, layout: 'same' }, ctx.config.activation);
};
