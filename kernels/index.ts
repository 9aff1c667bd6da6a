// Kernels of the fused training step (src/train/step/fused-step.ts): a forward and backward pass of a
// chain of convolutions, max-pools and dense layers on one block of linear memory the caller lays out.
// Each export runs one stage from the struct the caller wrote for it (stages.ts).
export {
  inputForward,
  convForward,
  convBackward,
  poolForward,
  poolBackward,
  flattenForward,
  flattenBackward,
  denseForward,
  denseBackward,
} from './stages';

/** Where the module's own static data ends: the caller lays out its buffers from here. */
export function heapBase(): usize {
  return __heap_base;
}
