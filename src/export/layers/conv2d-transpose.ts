import { attr } from '../../onnx/encode.js';
import { hwoiToIohw } from '../layout.js';
import { applyActivation } from './activation.js';
import { addConvNode, imageInput, optionalBias } from './conv2d.js';
import { pair, UnsupportedLayerError, weight, type LayerConverter } from './types.js';

/**
 * Conv2DTranspose: ConvTranspose with an [in, out, kh, kw] kernel. tfjs' output size (`same`: in x
 * stride; `valid`: in x stride + max(k - stride, 0)) is reached with TensorFlow's `same` pads (the odd
 * pixel at the end) and whatever output_padding is left over.
 */
export const convertConv2DTranspose: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  const c = ctx.config;
  const kernelSize = pair(c.kernelSize, 1);
  const strides = pair(c.strides, 1);
  if (pair(c.dilationRate, 1).some((d) => d !== 1))
    throw new UnsupportedLayerError(ctx, `dilationRate ${JSON.stringify(c.dilationRate)} (only 1 is supported)`);
  if (c.padding !== 'same' && c.padding !== 'valid')
    throw new UnsupportedLayerError(ctx, `padding '${String(c.padding)}' (supported: valid, same)`);
  const kernel = weight(ctx, 'kernel');
  const inHW = x.shape.slice(1, 3) as number[];
  const outHW = ctx.outputShape.slice(1, 3) as number[];
  const begin: number[] = [];
  const end: number[] = [];
  const outputPadding: number[] = [];
  for (let a = 0; a < 2; a++) {
    const total = c.padding === 'same' ? Math.max(kernelSize[a] - strides[a], 0) : 0;
    begin.push(Math.floor(total / 2));
    end.push(total - Math.floor(total / 2));
    outputPadding.push(outHW[a] - ((inHW[a] - 1) * strides[a] + kernelSize[a] - total));
  }
  const pads = [...begin, ...end];
  const iohw = hwoiToIohw(kernel.values, kernel.shape); // HWOI -> IOHW
  const conv = addConvNode(ctx, 'ConvTranspose', x.name, { ...iohw, outAxis: 1 }, optionalBias(ctx), [
    // kernel_shape is left out (the weight's shape says it), strides where they are the default 1.
    ...(strides.some((s) => s !== 1) ? [attr.ints('strides', strides)] : []),
    ...(pads.some((p) => p !== 0) ? [attr.ints('pads', pads)] : []),
    ...(outputPadding.some((p) => p !== 0) ? [attr.ints('output_padding', outputPadding)] : []),
  ]);
  return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, c.activation);
};
