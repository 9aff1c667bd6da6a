// The widget's only door to the shared runtime code: the same files the CLI runs, bundled as they are.
export { answerLabels, inkScale, inputShape, pictureSize, type InputContract } from '../../src/runtime/contract.js';
export { readModelBytes } from '../../src/runtime/model-file.js';
export type { ContractModel } from '../../src/runtime/model.js';
export { modelClassifier } from '../../src/runtime/model-classifier.js';
export { predictInput } from '../../src/runtime/predict-input.js';
export { preprocess, rgbaToGray, type GrayImage, type PreprocessResult } from '../../src/runtime/preprocess.js';
export { readLine, type Classifier, type LineDigit, type ReadLineResult } from '../../src/runtime/read-line.js';
export { OPERATORS, type ExpressionValue } from '../../src/runtime/expression.js';
export { readText } from '../../src/runtime/read-text.js';
