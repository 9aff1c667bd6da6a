import * as tf from '@tensorflow/tfjs';
import type { GradientStep, StepResult } from './step-types.js';
import { CLIP_EPSILON } from './loss.js';

/*
 * A training step for models that are a plain chain of Conv2D / MaxPooling2D / Flatten / Dense layers
 * ending in a softmax Dense (after any weightless layers that only prepare the input), with the backward
 * pass written out instead of recorded by tf.variableGrads. Why: on the wasm backend a LeNet-5 step on a
 * small shard spent much of its time in the tape's bookkeeping and in kernels the tape adds (Identity,
 * Cast, Step for every ReLU, separate bias Add and Relu because tfjs does not fuse under a gradient tape). Here the
 * forward pass runs fused conv/matmul + bias + ReLU kernels and the backward pass calls exactly the
 * gradient kernels the chain needs; the loss gradient is one JavaScript pass over the logits.
 *
 * The gradient is the same function autodiff differentiates (mean Keras-clipped cross-entropy of the
 * softmax), so the two agree up to float rounding: test/train/chain-step.test.ts checks it.
 */

/** One layer of a chain, as the written-out step sees it. */
export type Stage =
  | {
      kind: 'conv';
      kernel: tf.LayerVariable;
      bias: tf.LayerVariable | null;
      relu: boolean;
      strides: [number, number];
      pad: 'valid' | 'same';
    }
  | { kind: 'pool'; size: [number, number]; strides: [number, number]; pad: 'valid' | 'same' }
  | { kind: 'flatten' }
  | { kind: 'dense'; kernel: tf.LayerVariable; bias: tf.LayerVariable | null; relu: boolean };

interface LayerConfig {
  activation?: string;
  useBias?: boolean;
  strides?: number | number[];
  padding?: string;
  dataFormat?: string;
  dilationRate?: number | number[];
  poolSize?: number | number[];
  kernelRegularizer?: unknown;
  biasRegularizer?: unknown;
  activityRegularizer?: unknown;
  kernelConstraint?: unknown;
  biasConstraint?: unknown;
}

const pair = (v: number | number[] | undefined, fallback: number): [number, number] =>
  v === undefined ? [fallback, fallback] : typeof v === 'number' ? [v, v] : [v[0], v[1] ?? v[0]];

function inputRank(layer: tf.layers.Layer): number {
  const input = layer.input;
  return Array.isArray(input) ? -1 : input.shape.length;
}

/** Why `layer` cannot be a stage, or its stage. `last` = the model's output layer. */
function stageOf(layer: tf.layers.Layer, last: boolean): Stage | string {
  const cls = layer.getClassName();
  const c = layer.getConfig() as LayerConfig;
  const where = `layer ${layer.name} (${cls})`;
  if (c.kernelRegularizer || c.biasRegularizer || c.activityRegularizer || c.kernelConstraint || c.biasConstraint) {
    return `${where} has a regularizer or constraint`;
  }
  if (c.dataFormat !== undefined && c.dataFormat !== 'channelsLast') return `${where} is not channels-last`;
  const act = c.activation ?? 'linear';
  if (last && !(cls === 'Dense' && act === 'softmax')) return `the output layer ${layer.name} is not a softmax Dense`;
  const weights = (): { kernel: tf.LayerVariable; bias: tf.LayerVariable | null } => {
    const [kernel, bias] = layer.trainableWeights;
    return { kernel, bias: c.useBias === false ? null : bias };
  };
  switch (cls) {
    case 'Conv2D': {
      if (act !== 'relu' && act !== 'linear') return `${where} has activation ${act}`;
      if (c.padding !== 'valid' && c.padding !== 'same') return `${where} has padding ${c.padding}`;
      // tfjs has no convolution gradient with dilation either.
      if (pair(c.dilationRate, 1).some((r) => r !== 1)) return `${where} is dilated`;
      return { kind: 'conv', ...weights(), relu: act === 'relu', strides: pair(c.strides, 1), pad: c.padding };
    }
    case 'MaxPooling2D': {
      if (c.padding !== 'valid' && c.padding !== 'same') return `${where} has padding ${c.padding}`;
      const size = pair(c.poolSize, 2);
      return {
        kind: 'pool',
        size,
        strides: c.strides === undefined || c.strides === null ? size : pair(c.strides, 1),
        pad: c.padding,
      };
    }
    case 'Flatten':
      return { kind: 'flatten' };
    case 'Dense':
      if (act !== 'relu' && act !== 'linear' && !(last && act === 'softmax')) return `${where} has activation ${act}`;
      // A Dense on [N, ..., K] applies the kernel per position; the written-out gradient is for [N, K] only.
      if (inputRank(layer) !== 2) return `${where} takes a rank-${inputRank(layer)} input, not [batch, features]`;
      return { kind: 'dense', ...weights(), relu: act === 'relu' };
    default:
      return `${where} is not one of Conv2D, MaxPooling2D, Flatten, Dense`;
  }
}

/** A model read as a chain: the weightless layers that prepare the input, then the stages. */
export interface ChainPlan {
  prepare: tf.layers.Layer[];
  stages: Stage[];
  /** The layer of each stage (same index). */
  layers: tf.layers.Layer[];
  /** Offset of each weight in the flat gradient (trainableWeights order). */
  offsets: Map<tf.LayerVariable, number>;
}

/**
 * `model` as a chain of stages, or why it is not one. The model must be a chain: every layer takes exactly
 * the previous layer's output.
 */
export function chainPlan(model: tf.LayersModel): ChainPlan | { unsupported: string } {
  const layers = model.layers;
  if (model.inputs.length !== 1 || model.outputs.length !== 1)
    return { unsupported: 'the model has more than one input or output' };
  const entry = layers[0].getClassName() === 'InputLayer' ? layers[0] : layers[0].inboundNodes[0]?.inboundLayers[0];
  if (entry?.getClassName() !== 'InputLayer')
    return { unsupported: `layer ${layers[0].name} does not take the model's input` };
  for (let i = 1; i < layers.length; i++) {
    const nodes = layers[i].inboundNodes;
    if (nodes.length !== 1 || nodes[0].inboundLayers.length !== 1 || nodes[0].inboundLayers[0] !== layers[i - 1]) {
      return { unsupported: `layer ${layers[i].name} does not simply follow ${layers[i - 1].name}` };
    }
  }
  // Layers before the first trainable one only prepare the input (padding, standardising): no gradient
  // flows into them, so they run as they are. A functional model lists its InputLayer first, a Sequential
  // one does not.
  const first = layers.findIndex((l) => l.trainableWeights.length > 0);
  if (first < 0) return { unsupported: 'the model has no trainable layer' };
  const prepare = layers.slice(0, first).filter((l) => l.getClassName() !== 'InputLayer');
  const stages: Stage[] = [];
  for (let i = first; i < layers.length; i++) {
    const s = stageOf(layers[i], i === layers.length - 1);
    if (typeof s === 'string') return { unsupported: s };
    stages.push(s);
  }
  const stageLayers = layers.slice(first);
  // Offsets of each weight in the flat gradient (trainableWeights order).
  const offsets = new Map<tf.LayerVariable, number>();
  let at = 0;
  for (const w of model.trainableWeights) {
    offsets.set(w, at);
    at += w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  }
  for (const s of stages) {
    if ((s.kind === 'conv' || s.kind === 'dense') && (!offsets.has(s.kernel) || (s.bias && !offsets.has(s.bias)))) {
      return { unsupported: 'a layer has weights that are not trainable' };
    }
  }
  if (
    offsets.size !== stages.reduce((n, s) => n + (s.kind === 'conv' || s.kind === 'dense' ? (s.bias ? 2 : 1) : 0), 0)
  ) {
    return { unsupported: 'some trainable weights belong to no stage' };
  }
  return { prepare, stages, layers: stageLayers, offsets };
}

/** The chain step for `model` on tfjs kernels, or why it does not apply (then use autodiff). */
export function compileChainStep(model: tf.LayersModel): GradientStep | { unsupported: string } {
  const plan = chainPlan(model);
  if ('unsupported' in plan) return plan;
  const { prepare, stages, offsets } = plan;
  return {
    kind: 'chain',
    kernels: 'tfjs',
    run: (x, y, weight, out) => runChain(prepare, stages, offsets, x, y, weight, out),
  };
}

function runChain(
  prepare: tf.layers.Layer[],
  stages: Stage[],
  offsets: Map<tf.LayerVariable, number>,
  x: tf.Tensor,
  y: Float32Array,
  weight: number,
  out: Float32Array,
): StepResult {
  let result!: StepResult;
  tf.tidy(() => {
    let a = x;
    for (const l of prepare) a = l.apply(a, { training: true }) as tf.Tensor;
    // Forward, keeping each stage's input and output for its gradient.
    const inputs: tf.Tensor[] = [],
      outputs: tf.Tensor[] = [];
    for (const s of stages) {
      inputs.push(a);
      switch (s.kind) {
        case 'conv':
          a = tf.fused.conv2d({
            x: a as tf.Tensor4D,
            filter: s.kernel.read() as tf.Tensor4D,
            bias: s.bias?.read(),
            strides: s.strides,
            pad: s.pad,
            dataFormat: 'NHWC',
            activation: s.relu ? 'relu' : 'linear',
          });
          break;
        case 'pool':
          a = tf.maxPool(a as tf.Tensor4D, s.size, s.strides, s.pad);
          break;
        case 'flatten':
          a = tf.reshape(a, [a.shape[0], -1]);
          break;
        case 'dense':
          // The output layer's softmax is applied with the loss below: its Dense runs linear.
          a = tf.fused.matMul({
            a: a as tf.Tensor2D,
            b: s.kernel.read() as tf.Tensor2D,
            bias: s.bias?.read(),
            activation: s.relu ? 'relu' : 'linear',
          });
          break;
      }
      outputs.push(a);
    }
    const rows = x.shape[0];
    const classes = a.shape[1] as number;
    const loss = softmaxCrossEntropy(a.dataSync() as Float32Array, y, rows, classes, weight);

    // Backward, from the loss to the first trainable stage (whose input gradient nobody needs).
    result = loss.result;
    let d: tf.Tensor = tf.tensor2d(loss.dLogits, [rows, classes]);
    const put = (w: tf.LayerVariable, g: tf.Tensor) => out.set(g.dataSync() as Float32Array, offsets.get(w)!);
    for (let i = stages.length - 1; i >= 0; i--) {
      const s = stages[i],
        input = inputs[i],
        output = outputs[i],
        needInput = i > 0;
      switch (s.kind) {
        case 'dense': {
          // ReLU's gradient passes where the output is positive (output > 0 <=> pre-activation > 0).
          const dz = s.relu ? tf.mul(d, tf.step(output)) : d;
          put(s.kernel, tf.matMul(input, dz, true, false));
          if (s.bias) put(s.bias, tf.sum(dz, 0));
          if (needInput) d = tf.matMul(dz, s.kernel.read() as tf.Tensor2D, false, true);
          break;
        }
        case 'flatten':
          d = tf.reshape(d, input.shape);
          break;
        case 'pool':
          d = tf
            .engine()
            .runKernel(
              'MaxPoolGrad',
              { dy: d, input, output },
              { filterSize: s.size, strides: s.strides, pad: s.pad },
            ) as tf.Tensor;
          break;
        case 'conv': {
          const dz = s.relu ? tf.mul(d, tf.step(output)) : d;
          const attrs = { strides: s.strides, pad: s.pad, dataFormat: 'NHWC' };
          put(
            s.kernel,
            tf.engine().runKernel('Conv2DBackpropFilter', { x: input, dy: dz }, {
              ...attrs,
              filterShape: s.kernel.shape,
            } as never) as tf.Tensor,
          );
          if (s.bias) put(s.bias, tf.sum(dz, [0, 1, 2]));
          if (needInput) {
            d = tf.engine().runKernel('Conv2DBackpropInput', { dy: dz, filter: s.kernel.read() }, {
              ...attrs,
              inputShape: input.shape,
            } as never) as tf.Tensor;
          }
          break;
        }
      }
    }
  });
  return result;
}

/**
 * Softmax of the logits, the mean Keras-clipped cross-entropy against one-hot `y`, the arg-max hits, and
 * the gradient of `weight` x that mean with respect to the logits: the clip passes no gradient where a
 * probability was clipped, exactly as autodiff of the clipped loss gives. Double precision inside.
 */
export function softmaxCrossEntropy(
  logits: Float32Array,
  y: Float32Array,
  rows: number,
  classes: number,
  weight: number,
): { result: StepResult; dLogits: Float32Array } {
  const EPS = CLIP_EPSILON,
    LOW = Math.fround(EPS),
    HIGH = Math.fround(1 - EPS);
  const dLogits = new Float32Array(rows * classes);
  const p = new Float64Array(classes),
    dp = new Float64Array(classes);
  let lossSum = 0,
    hits = 0;
  for (let r = 0; r < rows; r++) {
    const o = r * classes;
    let max = -Infinity,
      best = 0,
      label = 0;
    for (let k = 0; k < classes; k++) {
      if (logits[o + k] > max) max = logits[o + k];
      if (y[o + k] > y[o + label]) label = k;
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += p[k] = Math.exp(logits[o + k] - max);
    for (let k = 0; k < classes; k++) {
      p[k] /= sum;
      // Arg-max as tf.argMax sees float32 probabilities: the first of equal maxima wins.
      if (Math.fround(p[k]) > Math.fround(p[best])) best = k;
    }
    if (best === label) hits++;
    // loss_r = -sum_k y_k log(clip(p_k)); d loss_r / d p_k = -y_k / p_k where p_k is inside the clip (bounds
    // included, compared in float32 as tfjs's clip gradient does), else 0.
    let dot = 0;
    for (let k = 0; k < classes; k++) {
      const clipped = Math.min(Math.max(p[k], EPS), 1 - EPS);
      if (y[o + k] !== 0) lossSum -= y[o + k] * Math.log(clipped);
      const pf = Math.fround(p[k]);
      dp[k] = pf >= LOW && pf <= HIGH ? (-y[o + k] / p[k]) * (weight / rows) : 0;
      dot += dp[k] * p[k];
    }
    // Softmax backward: dz_k = p_k (dp_k - sum_j dp_j p_j).
    for (let k = 0; k < classes; k++) dLogits[o + k] = p[k] * (dp[k] - dot);
  }
  return { result: { meanLoss: lossSum / rows, hits }, dLogits };
}
