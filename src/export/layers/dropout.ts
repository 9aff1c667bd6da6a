import { singleInput, UnsupportedLayerError, type LayerConverter } from './types.js';

/** Dropout (and its variants): the identity at inference, so no node at all. */
export const convertDropout: LayerConverter = (ctx) => singleInput(ctx);

/** Layers that stay random at inference in tfjs: no file could compute what they compute. */
export const refuseRandomAtInference: LayerConverter = (ctx) => {
  throw new UnsupportedLayerError(
    ctx,
    'changes its input at random even at inference in tfjs, so no ONNX graph can match it; remove the layer (or train without it) before export',
  );
};
