// Importing this module registers every custom layer with tfjs serialization, so saved models that use
// them load anywhere (training, export, verification).
export { Standardize } from './standardize.js';
export { ScaledTanh } from './scaled-tanh.js';
export { Subsampling } from './subsampling.js';
export { MaskedConv2D } from './masked-conv2d.js';
export { EuclideanRbf } from './euclidean-rbf.js';
export { Softmin } from './softmin.js';
