// Kernels of the fused training step (src/train/step/fused-step.ts): a forward and backward pass of a
// chain of convolutions, max-pools and dense layers on one block of linear memory the caller lays out.
export { im2col } from './im2col';
export { convForward, convFilterGrad, convBiasGrad } from './conv';
export { convInputGrad } from './conv-input-grad';
export { convInputGradSparse } from './conv-input-grad-sparse';
export { poolForward, poolBackward } from './pool';
export { denseForward, denseFilterGrad, denseInputGrad } from './dense';
export { reluMask, reluMaskAny } from './vec';
export { nhwc } from './layout';

/** Where the module's own static data ends: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return __heap_base;
}
