import type * as tf from '@tensorflow/tfjs';
import type { ChannelAffine } from './layers/types.js';

/** Layer classes whose output channels can absorb a following BatchNormalization. */
export const FOLDS_BATCH_NORM = new Set(['Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Dense']);

/** A BatchNormalization folded into the layer before it. */
export interface BatchNormFold {
  producer: tf.layers.Layer;
  batchNorm: tf.layers.Layer;
  affine: ChannelAffine;
}

/**
 * The functional graph of a model: a Sequential holds its layers in an inner functional model, which tfjs
 * builds only on first use (a loaded Sequential that never ran has none yet), so build it here.
 */
export function graphOf(model: tf.LayersModel): tf.LayersModel {
  if (model.getClassName() !== 'Sequential') return model;
  const seq = model as unknown as { model?: tf.LayersModel; build: (shape?: unknown) => void };
  if (!seq.model) seq.build(model.inputs[0].shape);
  return seq.model!;
}

/** True for a layer that is itself a model (Sequential or functional, as Teachable Machine nests them). */
export function isModelLayer(layer: tf.layers.Layer): layer is tf.LayersModel {
  return 'nodesByDepth' in layer || layer.getClassName() === 'Sequential';
}

/** Every layer of `model`, the layers of nested models in place of the models. */
export function allLayers(model: tf.LayersModel): tf.layers.Layer[] {
  return graphOf(model).layers.flatMap((l) => (isModelLayer(l) ? allLayers(l) : [l]));
}

/**
 * Inference-time BatchNormalization as y = scale * x + shift per channel: scale = gamma / sqrt(var + eps),
 * shift = beta - mean * scale, computed in double precision and rounded once.
 */
export function batchNormAffine(bn: tf.layers.Layer): ChannelAffine {
  const config = bn.getConfig() as Record<string, unknown>;
  const byName = new Map(bn.weights.map((w, i) => [w.originalName.split('/').pop()!, bn.getWeights()[i]]));
  const read = (k: string) => byName.get(k)?.dataSync() as Float32Array | undefined;
  const mean = read('moving_mean')!;
  const variance = read('moving_variance')!;
  const gamma = config.scale === false ? undefined : read('gamma');
  const beta = config.center === false ? undefined : read('beta');
  const eps = (config.epsilon as number | undefined) ?? 1e-3;
  const scale = new Float32Array(mean.length);
  const shift = new Float32Array(mean.length);
  for (let c = 0; c < mean.length; c++) {
    const s = (gamma ? gamma[c] : 1) / Math.sqrt(variance[c] + eps);
    scale[c] = s;
    shift[c] = (beta ? beta[c] : 0) - mean[c] * s;
  }
  return { scale, shift };
}

function lastAxisBatchNorm(layer: tf.layers.Layer): boolean {
  if (layer.getClassName() !== 'BatchNormalization') return false;
  const axis = (layer.getConfig() as Record<string, unknown>).axis as number | undefined;
  const rank = layer.inboundNodes[0]?.inputTensors[0]?.shape.length ?? 0;
  return axis === undefined || axis === -1 || axis === rank - 1;
}

/**
 * Every BatchNormalization of `model` (nested models included) that can move into the layer before it:
 * that layer is a convolution or Dense with a linear activation, applied once, whose output feeds the
 * BatchNormalization alone and is no model output. Keyed by the producing layer.
 */
export function findBatchNormFolds(model: tf.LayersModel): Map<tf.layers.Layer, BatchNormFold> {
  const folds = new Map<tf.layers.Layer, BatchNormFold>();
  const visit = (m: tf.LayersModel) => {
    const g = graphOf(m);
    const outputs = new Set(g.outputs.map((t) => t.id));
    for (const layer of g.layers) {
      if (isModelLayer(layer)) {
        visit(layer);
        continue;
      }
      if (!FOLDS_BATCH_NORM.has(layer.getClassName())) continue;
      const config = layer.getConfig() as Record<string, unknown>;
      if ((config.activation ?? 'linear') !== 'linear') continue;
      if (layer.inboundNodes.length !== 1 || layer.outboundNodes.length !== 1) continue;
      if (layer.inboundNodes[0].outputTensors.some((t) => outputs.has(t.id))) continue;
      const bn = layer.outboundNodes[0].outboundLayer;
      if (!lastAxisBatchNorm(bn) || bn.inboundNodes.length !== 1) continue;
      if (bn.inboundNodes[0].inputTensors.length !== 1) continue;
      folds.set(layer, { producer: layer, batchNorm: bn, affine: batchNormAffine(bn) });
    }
  };
  visit(model);
  return folds;
}

/**
 * Scale a weight's output channels in place and return the folded bias: weight[.., o, ..] *= scale[o]
 * along `axis` (the ONNX weight's output axis), bias' = bias * scale + shift.
 */
export function foldIntoWeights(
  weight: Float32Array,
  dims: number[],
  axis: number,
  bias: Float32Array | undefined,
  { scale, shift }: ChannelAffine,
): Float32Array {
  const channels = dims[axis];
  const inner = dims.slice(axis + 1).reduce((a, b) => a * b, 1);
  for (let i = 0; i < weight.length; i++) weight[i] *= scale[Math.floor(i / inner) % channels];
  return Float32Array.from({ length: channels }, (_, o) => (bias ? bias[o] : 0) * scale[o] + shift[o]);
}
