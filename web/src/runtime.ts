// The widget's only door to the shared runtime code: the same files the CLI runs, bundled as they are.
export { contractFromMetadata, ContractError, type InputContract } from '../../src/runtime/contract.js';
export { readOnnxInfo, OnnxFormatError, type OnnxModelInfo } from '../../src/runtime/onnx-info.js';
export { preprocess, rgbaToGray, type GrayImage, type PreprocessResult } from '../../src/runtime/preprocess.js';
