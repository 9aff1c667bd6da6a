import { singleInput, type LayerConverter } from './types.js';

/** Dropout (and its variants): the identity at inference, so no node at all. */
export const convertDropout: LayerConverter = (ctx) => singleInput(ctx);
