// The widget's only door to the shared runtime code: the same files the CLI runs, bundled as they are.
export { inputShape, type InputContract } from '../../src/runtime/contract.js';
export { readModelBytes } from '../../src/runtime/model-file.js';
export { preprocess, rgbaToGray, type GrayImage, type PreprocessResult } from '../../src/runtime/preprocess.js';
