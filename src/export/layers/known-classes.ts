/**
 * The layer classes TensorFlow.js itself defines. A class outside this list (and without a converter) is
 * a custom layer: its refusal says so, since the exporter cannot see what its code computes.
 */
export const KNOWN_TFJS_CLASSES = new Set([
  ...['Activation', 'Dense', 'Dropout', 'Flatten', 'Masking', 'Permute', 'RepeatVector', 'Reshape'],
  ...['SpatialDropout1D', 'Embedding', 'InputLayer', 'Identity'],
  ...['Conv1D', 'Conv2D', 'Conv2DTranspose', 'Conv3D', 'Conv3DTranspose', 'Cropping2D', 'SeparableConv2D'],
  ...['UpSampling2D', 'DepthwiseConv2D', 'ConvLSTM2D', 'ZeroPadding2D'],
  ...['ELU', 'LeakyReLU', 'PReLU', 'ReLU', 'Softmax', 'ThresholdedReLU'],
  ...['Add', 'Average', 'Concatenate', 'Dot', 'Maximum', 'Minimum', 'Multiply'],
  ...['AlphaDropout', 'GaussianDropout', 'GaussianNoise', 'BatchNormalization', 'LayerNormalization'],
  ...['AveragePooling1D', 'AveragePooling2D', 'AveragePooling3D', 'MaxPooling1D', 'MaxPooling2D', 'MaxPooling3D'],
  ...['GlobalAveragePooling1D', 'GlobalAveragePooling2D', 'GlobalMaxPooling1D', 'GlobalMaxPooling2D'],
  ...['GRU', 'LSTM', 'SimpleRNN', 'RNN', 'Bidirectional', 'TimeDistributed'],
  ...['CategoryEncoding', 'CenterCrop', 'Rescaling', 'Resizing', 'RandomHeight', 'RandomWidth'],
  ...['Model', 'Functional', 'Sequential'],
]);
