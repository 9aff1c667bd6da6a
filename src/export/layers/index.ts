import { convertActivation, convertReLU, convertSoftmax } from './activation.js';
import { convertBatchNormalization } from './batch-normalization.js';
import { convertConv2D } from './conv2d.js';
import { convertDense } from './dense.js';
import { convertDropout } from './dropout.js';
import { convertFlatten } from './flatten.js';
import { convertAveragePooling2D, convertMaxPooling2D } from './pooling.js';
import { convertReshape } from './reshape.js';
import { convertStandardize } from './standardize.js';
import type { LayerConverter } from './types.js';
import { convertZeroPadding2D } from './zero-padding2d.js';
// Classic LeNet-5 (1998) layers.
import { convertEuclideanRbf } from './euclidean-rbf.js';
import { convertMaskedConv2D } from './masked-conv2d.js';
import { convertScaledTanh } from './scaled-tanh.js';
import { convertSoftmin } from './softmin.js';
import { convertSubsampling } from './subsampling.js';

/**
 * tfjs layer class name -> converter. To support a new layer kind, add a file beside this one and one
 * line here (or call {@link registerConverter} from the module that defines the layer).
 */
export const CONVERTERS: Record<string, LayerConverter> = {
  Conv2D: convertConv2D,
  MaxPooling2D: convertMaxPooling2D,
  AveragePooling2D: convertAveragePooling2D,
  Dense: convertDense,
  Flatten: convertFlatten,
  Reshape: convertReshape,
  Activation: convertActivation,
  ReLU: convertReLU,
  Softmax: convertSoftmax,
  Dropout: convertDropout,
  SpatialDropout1D: convertDropout,
  GaussianDropout: convertDropout,
  AlphaDropout: convertDropout,
  GaussianNoise: convertDropout,
  ZeroPadding2D: convertZeroPadding2D,
  BatchNormalization: convertBatchNormalization,
  Standardize: convertStandardize,
  ScaledTanh: convertScaledTanh,
  Subsampling: convertSubsampling,
  MaskedConv2D: convertMaskedConv2D,
  EuclideanRbf: convertEuclideanRbf,
  Softmin: convertSoftmin,
};

/** Add or replace the converter of a layer class. */
export function registerConverter(className: string, converter: LayerConverter): void {
  CONVERTERS[className] = converter;
}

/** Layer classes the exporter converts, sorted (for error messages and docs). */
export function supportedLayers(): string[] {
  return Object.keys(CONVERTERS).sort();
}
