import { hwioToOihw } from '../layout.js';
import { applyActivation } from './activation.js';
import { addConvNode, imageInput, optionalBias } from './conv2d.js';
import { addDepthwise } from './depthwise-conv2d.js';
import { weight, type LayerConverter } from './types.js';

/**
 * SeparableConv2D: the depthwise grouped Conv (strides, padding, dilation), then a 1x1 Conv with the
 * bias, then the fused activation. A following BatchNormalization folds into the 1x1 Conv.
 */
export const convertSeparableConv2D: LayerConverter = (ctx) => {
  const x = imageInput(ctx);
  const depthwise = addDepthwise(ctx, x, 'depthwise_kernel', undefined, 'depthwise/', false);
  const pointwise = weight(ctx, 'pointwise_kernel');
  const oihw = hwioToOihw(pointwise.values, pointwise.shape); // HWIO -> OIHW
  const conv = addConvNode(ctx, 'Conv', depthwise, { ...oihw, outAxis: 0 }, optionalBias(ctx), [], 'pointwise/');
  return applyActivation(ctx, { name: conv, shape: ctx.outputShape, layout: 'nchw' }, ctx.config.activation);
};
