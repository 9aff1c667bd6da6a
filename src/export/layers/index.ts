import { convertActivation, convertReLU, convertSoftmax, SUPPORTED_ACTIVATIONS } from './activation.js';
import { convertELU, convertLeakyReLU, convertPReLU, convertThresholdedReLU } from './advanced-activation.js';
import { convertBatchNormalization } from './batch-normalization.js';
import { convertConv2D } from './conv2d.js';
import { convertConv2DTranspose } from './conv2d-transpose.js';
import { convertDense } from './dense.js';
import { convertDepthwiseConv2D } from './depthwise-conv2d.js';
import { convertDropout, refuseRandomAtInference } from './dropout.js';
import { convertFlatten } from './flatten.js';
import {
  convertAdd,
  convertAverage,
  convertConcatenate,
  convertMaximum,
  convertMinimum,
  convertMultiply,
} from './merge.js';
import { convertPermute } from './permute.js';
import {
  convertAveragePooling1D,
  convertAveragePooling2D,
  convertGlobalAveragePooling1D,
  convertGlobalAveragePooling2D,
  convertGlobalMaxPooling1D,
  convertGlobalMaxPooling2D,
  convertMaxPooling1D,
  convertMaxPooling2D,
} from './pooling.js';
import { convertRescaling } from './preprocessing.js';
import { convertReshape } from './reshape.js';
import { convertSeparableConv2D } from './separable-conv2d.js';
import { convertCropping2D, convertResizing, convertUpSampling2D } from './spatial.js';
import { convertStandardize } from './standardize.js';
import type { LayerConverter } from './types.js';
import { convertZeroPadding2D } from './zero-padding2d.js';
// Classic LeNet-5 (1998) layers.
import { convertEuclideanRbf } from './euclidean-rbf.js';
import { convertMaskedConv2D } from './masked-conv2d.js';
import { convertScaledTanh } from './scaled-tanh.js';
import { convertSoftmin } from './softmin.js';
import { convertSubsampling } from './subsampling.js';

/** One row of the catalogue: the converter of a layer class and what it writes (the docs' table). */
export interface LayerEntry {
  convert: LayerConverter;
  /** The ONNX ops the layer becomes ('' for none). */
  onnx: string;
  /** Options and limits, for people. */
  notes: string;
}

const CONV_NOTES = 'any strides and dilation, `same` or `valid`, with or without bias, any fused activation';
const FOLD = '; a following BatchNormalization is folded into its weights';

/** Every layer class the exporter converts, with what it writes. */
export const LAYER_CATALOGUE: Record<string, LayerEntry> = {
  Conv2D: { convert: convertConv2D, onnx: 'Conv', notes: CONV_NOTES + FOLD },
  DepthwiseConv2D: {
    convert: convertDepthwiseConv2D,
    onnx: 'Conv (group = input channels)',
    notes:
      'depth multiplier 1 or more, any strides, `same` or `valid`, with or without bias, any fused activation; dilation 1 (tfjs ignores it when the layer runs)' +
      FOLD,
  },
  SeparableConv2D: {
    convert: convertSeparableConv2D,
    onnx: 'Conv (grouped), Conv 1x1',
    notes: 'depth multiplier 1 or more; ' + CONV_NOTES + FOLD + ' (the 1x1 one)',
  },
  Conv2DTranspose: {
    convert: convertConv2DTranspose,
    onnx: 'ConvTranspose',
    notes: 'any strides, `same` or `valid`, dilation 1' + FOLD,
  },
  Dense: {
    convert: convertDense,
    onnx: 'Gemm; 1x1 Conv or MatMul + Add on rank 3 and 4',
    notes: 'any rank (the last axis, as tfjs); after Flatten its rows are permuted, no Transpose' + FOLD,
  },
  BatchNormalization: {
    convert: convertBatchNormalization,
    onnx: 'folded, else BatchNormalization (Mul + Add on a channels-last rank-3 value)',
    notes: 'last (channel) axis, with or without center and scale',
  },
  Activation: {
    convert: convertActivation,
    onnx: 'one op, or a few for the composite ones',
    notes: `every tfjs activation: ${SUPPORTED_ACTIVATIONS.join(', ')}`,
  },
  ReLU: { convert: convertReLU, onnx: 'Relu; Clip with maxValue (ReLU6)', notes: 'negativeSlope and threshold 0' },
  LeakyReLU: { convert: convertLeakyReLU, onnx: 'LeakyRelu', notes: 'any alpha' },
  PReLU: { convert: convertPReLU, onnx: 'PRelu', notes: 'slopes laid out as the graph holds the value; sharedAxes' },
  ELU: { convert: convertELU, onnx: 'Elu', notes: 'any alpha' },
  ThresholdedReLU: { convert: convertThresholdedReLU, onnx: 'ThresholdedRelu', notes: 'any theta' },
  Softmax: { convert: convertSoftmax, onnx: 'Softmax', notes: 'any one axis but the batch' },
  MaxPooling2D: {
    convert: convertMaxPooling2D,
    onnx: 'MaxPool',
    notes: 'any pool size and strides, `same` or `valid`',
  },
  AveragePooling2D: {
    convert: convertAveragePooling2D,
    onnx: 'AveragePool',
    notes: 'any pool size and strides, `same` (padding not counted, as tfjs) or `valid`',
  },
  MaxPooling1D: { convert: convertMaxPooling1D, onnx: 'MaxPool', notes: 'as MaxPooling2D, on [N, steps, channels]' },
  AveragePooling1D: {
    convert: convertAveragePooling1D,
    onnx: 'AveragePool',
    notes: 'as AveragePooling2D, on [N, steps, channels]',
  },
  GlobalAveragePooling2D: { convert: convertGlobalAveragePooling2D, onnx: 'ReduceMean', notes: 'keepDims or not' },
  GlobalMaxPooling2D: { convert: convertGlobalMaxPooling2D, onnx: 'ReduceMax', notes: 'keepDims or not' },
  GlobalAveragePooling1D: { convert: convertGlobalAveragePooling1D, onnx: 'ReduceMean', notes: '' },
  GlobalMaxPooling1D: { convert: convertGlobalMaxPooling1D, onnx: 'ReduceMax', notes: '' },
  ZeroPadding2D: { convert: convertZeroPadding2D, onnx: 'Pad', notes: 'symmetric or per side' },
  Cropping2D: { convert: convertCropping2D, onnx: 'Slice', notes: 'symmetric or per side' },
  UpSampling2D: {
    convert: convertUpSampling2D,
    onnx: 'Resize',
    notes: 'integer factors, nearest or bilinear (tfjs: no half-pixel centres)',
  },
  Flatten: {
    convert: convertFlatten,
    onnx: 'Flatten',
    notes: 'tfjs element order kept: the next Dense reads permuted rows',
  },
  Reshape: {
    convert: convertReshape,
    onnx: 'Reshape (with the Transpose tfjs order needs after a map)',
    notes: 'static target shape; tfjs element order kept',
  },
  Permute: { convert: convertPermute, onnx: 'Transpose (one)', notes: 'any permutation' },
  Dropout: { convert: convertDropout, onnx: '(none)', notes: 'identity at inference' },
  SpatialDropout1D: { convert: convertDropout, onnx: '(none)', notes: 'identity at inference' },
  GaussianDropout: { convert: convertDropout, onnx: '(none)', notes: 'identity at inference' },
  AlphaDropout: { convert: convertDropout, onnx: '(none)', notes: 'identity at inference' },
  GaussianNoise: { convert: convertDropout, onnx: '(none)', notes: 'identity at inference' },
  Rescaling: { convert: convertRescaling, onnx: 'Mul, Add', notes: 'scale and offset' },
  Resizing: {
    convert: convertResizing,
    onnx: 'Resize',
    notes: 'static size, nearest or bilinear, corners aligned as tfjs does',
  },
  RandomWidth: {
    convert: refuseRandomAtInference,
    onnx: '(refused)',
    notes: 'tfjs resizes at random even at inference; remove it before export',
  },
  RandomHeight: {
    convert: refuseRandomAtInference,
    onnx: '(refused)',
    notes: 'tfjs resizes at random even at inference; remove it before export',
  },
  Add: { convert: convertAdd, onnx: 'Add', notes: '2 or more inputs' },
  Multiply: { convert: convertMultiply, onnx: 'Mul', notes: '2 or more inputs, broadcasting as tfjs' },
  Average: { convert: convertAverage, onnx: 'Add, Mul', notes: '2 or more inputs' },
  Maximum: { convert: convertMaximum, onnx: 'Max', notes: '2 or more inputs' },
  Minimum: { convert: convertMinimum, onnx: 'Min', notes: '2 or more inputs' },
  Concatenate: { convert: convertConcatenate, onnx: 'Concat', notes: 'any axis but the batch' },
  Standardize: { convert: convertStandardize, onnx: 'Sub, Div', notes: "lenet-onnx's contract layer" },
  ScaledTanh: { convert: convertScaledTanh, onnx: 'Mul, Tanh, Mul', notes: 'classic LeNet-5' },
  Subsampling: { convert: convertSubsampling, onnx: 'AveragePool, Mul, Add', notes: 'classic LeNet-5' },
  MaskedConv2D: { convert: convertMaskedConv2D, onnx: 'Cast, MatMul, Reshape, Conv', notes: 'classic LeNet-5' },
  EuclideanRbf: { convert: convertEuclideanRbf, onnx: 'Unsqueeze, Sub, Mul, ReduceSum', notes: 'classic LeNet-5' },
  Softmin: { convert: convertSoftmin, onnx: 'Mul, Softmax', notes: 'classic LeNet-5' },
};

/**
 * tfjs layer class name -> converter. To support a new layer kind, add a file beside this one and one
 * entry in {@link LAYER_CATALOGUE} (or call {@link registerConverter} from the module that defines the layer).
 */
export const CONVERTERS: Record<string, LayerConverter> = Object.fromEntries(
  Object.entries(LAYER_CATALOGUE).map(([name, e]) => [name, e.convert]),
);

/** Add or replace the converter of a layer class. */
export function registerConverter(className: string, converter: LayerConverter): void {
  CONVERTERS[className] = converter;
}

/** Layer classes the exporter converts, sorted (for error messages and docs). */
export function supportedLayers(): string[] {
  return Object.keys(CONVERTERS)
    .filter((name) => LAYER_CATALOGUE[name]?.onnx !== '(refused)')
    .sort();
}

/** Nested models are walked in place, not converted as one layer. */
export const MODEL_CLASSES = ['Sequential', 'Model', 'Functional'];
