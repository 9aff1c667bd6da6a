import * as tf from '@tensorflow/tfjs';
import { lcg } from './equivalence.js';

/**
 * Seeded weights scaled the way trained networks are (kernels uniform in +-sqrt(3 / fan-in), batch-norm
 * statistics near their identity), so activations neither explode nor vanish through dozens of layers and
 * a parity check compares outputs that are not all saturated.
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rand = lcg(seed);
  const u = () => rand() * 2 - 1;
  for (const w of model.weights) {
    const shape = w.shape as number[];
    const n = shape.reduce((a, b) => a * b, 1);
    const name = w.originalName;
    let make: () => number;
    if (/depthwise_kernel$/.test(name)) make = () => u() * Math.sqrt(3 / (shape[0] * shape[1]));
    else if (/kernel$/.test(name)) make = () => u() * Math.sqrt(3 / (n / shape[shape.length - 1]));
    else if (/gamma$/.test(name)) make = () => 0.8 + 0.4 * rand();
    else if (/moving_variance$/.test(name)) make = () => 0.5 + rand();
    else make = () => 0.1 * u();
    w.write(tf.tensor(Float32Array.from({ length: n }, make), shape));
  }
}

type T = tf.SymbolicTensor;
const apply = (layer: tf.layers.Layer, x: T | T[]) => layer.apply(x) as T;

/** Conv (or depthwise), BatchNormalization, ReLU6: the unit MobileNets are made of. */
function convBnRelu6(x: T, name: string, make: () => tf.layers.Layer): T {
  const y = apply(make(), x);
  return apply(
    tf.layers.reLU({ maxValue: 6, name: `${name}_relu` }),
    apply(tf.layers.batchNormalization({ name: `${name}_bn` }), y),
  );
}

/**
 * A MobileNet v1 trunk (width `alpha`) as a functional model, cut after its last pointwise block the way
 * Teachable Machine cuts it (`conv_pw_13_relu`).
 */
export function mobilenetV1Trunk(size: number, alpha: number): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3], name: 'input_1' });
  const ch = (n: number) => Math.round(n * alpha);
  let x = convBnRelu6(input, 'conv1', () =>
    tf.layers.conv2d({ filters: ch(32), kernelSize: 3, strides: 2, padding: 'same', useBias: false, name: 'conv1' }),
  );
  const blocks: Array<[number, number]> = [
    [64, 1],
    [128, 2],
    [128, 1],
    [256, 2],
    [256, 1],
    [512, 2],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [512, 1],
    [1024, 2],
    [1024, 1],
  ];
  blocks.forEach(([filters, stride], i) => {
    const id = i + 1;
    x = convBnRelu6(x, `conv_dw_${id}`, () =>
      tf.layers.depthwiseConv2d({
        kernelSize: 3,
        strides: stride,
        padding: 'same',
        useBias: false,
        name: `conv_dw_${id}`,
      }),
    );
    x = convBnRelu6(x, `conv_pw_${id}`, () =>
      tf.layers.conv2d({ filters: ch(filters), kernelSize: 1, useBias: false, name: `conv_pw_${id}` }),
    );
  });
  return tf.model({ inputs: input, outputs: x, name: 'model1' });
}

/**
 * Shaped like a Teachable Machine image model: a Sequential holding the truncated MobileNet v1 (a nested
 * functional model) and a Sequential head (pooling or Flatten, Dense, Dropout, Dense softmax).
 */
export function teachableMachineLike(size: number, head: 'gap' | 'flatten', classes = 3, seed = 1): tf.LayersModel {
  const trunk = mobilenetV1Trunk(size, 0.25);
  const headModel = tf.sequential({
    name: 'sequential_2',
    layers: [
      head === 'gap'
        ? tf.layers.globalAveragePooling2d({ inputShape: trunk.outputs[0].shape.slice(1) as number[] })
        : tf.layers.flatten({ inputShape: trunk.outputs[0].shape.slice(1) as number[] }),
      tf.layers.dense({ units: 100, activation: 'relu', useBias: true, name: 'dense_Dense1' }),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: classes, activation: 'softmax', useBias: false, name: 'dense_Dense2' }),
    ],
  });
  const model = tf.sequential({ name: 'sequential_1', layers: [trunk, headModel] });
  randomizeWeights(model, seed);
  return model;
}

/** MobileNetV2-style: inverted residual blocks (expand, depthwise, project) with Add where shapes allow. */
export function mobilenetV2Like(size = 32, seed = 2): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  let x = convBnRelu6(input, 'stem', () =>
    tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', useBias: false }),
  );
  let channels = 16;
  const spec: Array<[number, number, number]> = [
    [6, 16, 1],
    [6, 24, 2],
    [6, 24, 1],
    [6, 32, 2],
    [6, 32, 1],
  ];
  spec.forEach(([expand, out, stride], i) => {
    const name = `block${i}`;
    let y = convBnRelu6(x, `${name}_expand`, () =>
      tf.layers.conv2d({ filters: channels * expand, kernelSize: 1, useBias: false }),
    );
    y = convBnRelu6(y, `${name}_dw`, () =>
      tf.layers.depthwiseConv2d({ kernelSize: 3, strides: stride, padding: 'same', useBias: false }),
    );
    y = apply(
      tf.layers.batchNormalization(),
      apply(tf.layers.conv2d({ filters: out, kernelSize: 1, useBias: false }), y),
    );
    x = stride === 1 && out === channels ? apply(tf.layers.add(), [x, y]) : y;
    channels = out;
  });
  x = apply(tf.layers.globalAveragePooling2d({}), x);
  const output = apply(tf.layers.dense({ units: 10, activation: 'softmax' }), x);
  const model = tf.model({ inputs: input, outputs: output });
  randomizeWeights(model, seed);
  return model;
}

/** A small ResNet: basic blocks, projection shortcuts (1x1 Conv + BatchNormalization) where the shape changes. */
export function smallResNet(size = 32, seed = 3): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const convBn = (x: T, filters: number, k: number, stride: number) =>
    apply(
      tf.layers.batchNormalization(),
      apply(tf.layers.conv2d({ filters, kernelSize: k, strides: stride, padding: 'same', useBias: false }), x),
    );
  let x = apply(tf.layers.activation({ activation: 'relu' }), convBn(input, 16, 3, 1));
  x = apply(tf.layers.maxPooling2d({ poolSize: 3, strides: 2, padding: 'same' }), x);
  let channels = 16;
  for (const [filters, stride] of [
    [16, 1],
    [32, 2],
    [64, 2],
  ]) {
    let y = apply(tf.layers.activation({ activation: 'relu' }), convBn(x, filters, 3, stride));
    y = convBn(y, filters, 3, 1);
    const shortcut = stride !== 1 || filters !== channels ? convBn(x, filters, 1, stride) : x;
    x = apply(tf.layers.activation({ activation: 'relu' }), apply(tf.layers.add(), [y, shortcut]));
    channels = filters;
  }
  x = apply(tf.layers.globalAveragePooling2d({}), x);
  const model = tf.model({ inputs: input, outputs: apply(tf.layers.dense({ units: 5, activation: 'softmax' }), x) });
  randomizeWeights(model, seed);
  return model;
}

/** A U-Net: two levels down (Conv, MaxPool), up by UpSampling2D and by Conv2DTranspose, skips by Concatenate. */
export function uNetLike(size = 32, seed = 4): tf.LayersModel {
  const input = tf.input({ shape: [size, size, 3] });
  const block = (x: T, filters: number) => {
    const a = apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }), x);
    return apply(tf.layers.conv2d({ filters, kernelSize: 3, padding: 'same', activation: 'relu' }), a);
  };
  const d1 = block(input, 8);
  const d2 = block(apply(tf.layers.maxPooling2d({ poolSize: 2 }), d1), 16);
  const bottom = block(apply(tf.layers.maxPooling2d({ poolSize: 2 }), d2), 32);
  const u2 = apply(tf.layers.conv2dTranspose({ filters: 16, kernelSize: 2, strides: 2, padding: 'same' }), bottom);
  const m2 = block(apply(tf.layers.concatenate(), [u2, d2]), 16);
  const u1 = apply(tf.layers.upSampling2d({ size: [2, 2] }), m2);
  const m1 = block(apply(tf.layers.concatenate({ axis: -1 }), [d1, u1]), 8);
  const out = apply(tf.layers.conv2d({ filters: 2, kernelSize: 1, activation: 'sigmoid' }), m1);
  const model = tf.model({ inputs: input, outputs: out });
  randomizeWeights(model, seed);
  return model;
}
