import type * as tf from '@tensorflow/tfjs';
import { UserError } from '../../errors.js';
import type { GraphBuilder } from '../graph.js';

/**
 * How the ONNX tensor of a tfjs value is laid out:
 * - `same`: element for element as in tfjs;
 * - `nchw`: a channels-last tfjs value of rank 3 or 4 ([N, W, C] or [N, H, W, C]) held channels-first
 *   ([N, C, W] or [N, C, H, W]), the ONNX convention for convolutions and pooling;
 * - `flat-nchw`: a tfjs Flatten of an [h, w, c] map, held in NCHW flatten order (see `from`).
 */
export type Layout = 'same' | 'nchw' | 'flat-nchw';

/** The ONNX tensor standing for one tfjs value. */
export interface OnnxValue {
  name: string;
  /** tfjs shape (NHWC for images); null = the batch dimension. */
  shape: Array<number | null>;
  layout: Layout;
  /** For `flat-nchw`: the [h, w, c] map it was flattened from. */
  from?: number[];
}

/** A weight of the layer being converted, by its short name (kernel, bias, gamma, moving_mean, ...). */
export interface LayerWeight {
  /** Full tfjs name, e.g. `c1/kernel`, for messages. */
  name: string;
  shape: number[];
  values: Float32Array;
}

/** Everything a converter sees of one tfjs layer. */
export interface ConvertContext {
  layer: tf.layers.Layer;
  /**
   * Prefix of every ONNX name the converter writes: the layer name, with the nested model's name in front
   * (and `_k` behind for the k-th application of a shared layer), so names stay unique.
   */
  name: string;
  className: string;
  /** `layer.getConfig()`. */
  config: Record<string, unknown>;
  inputs: OnnxValue[];
  /** tfjs output shape of the layer. */
  outputShape: Array<number | null>;
  weights: Map<string, LayerWeight>;
  graph: GraphBuilder;
  opset: number;
  /**
   * A BatchNormalization that follows this layer and is folded into it: multiply each output channel by
   * `scale`, then add `shift` (converters of Conv2D, DepthwiseConv2D, SeparableConv2D, Conv2DTranspose, Dense).
   */
  fold?: ChannelAffine;
}

/** Per-output-channel y = scale * x + shift (an inference-time BatchNormalization). */
export interface ChannelAffine {
  scale: Float32Array;
  shift: Float32Array;
}

/** Converts one tfjs layer kind: adds nodes/initializers to `ctx.graph`, returns the layer's output value. */
export type LayerConverter = (ctx: ConvertContext) => OnnxValue;

/** A layer (or a setting of it) the exporter cannot convert; nothing is written. */
export class UnsupportedLayerError extends UserError {
  constructor(ctx: Pick<ConvertContext, 'layer' | 'className'>, what: string) {
    super(`layer '${ctx.layer.name}' (${ctx.className}): ${what}; no ONNX file written`);
    this.name = 'UnsupportedLayerError';
  }
}

/** A config value as a pair of numbers (tfjs accepts n or [a, b]). */
export function pair(v: unknown, fallback: number): [number, number] {
  if (v === undefined || v === null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  const a = v as number[];
  return [a[0], a[1] ?? a[0]];
}

/** The single input of a layer, refusing layers applied to several tensors. */
export function singleInput(ctx: ConvertContext): OnnxValue {
  if (ctx.inputs.length !== 1) throw new UnsupportedLayerError(ctx, `expected 1 input, got ${ctx.inputs.length}`);
  return ctx.inputs[0];
}

/** A weight the layer must have. */
export function weight(ctx: ConvertContext, short: string): LayerWeight {
  const w = ctx.weights.get(short);
  if (!w)
    throw new UnsupportedLayerError(
      ctx,
      `missing weight '${short}' (has: ${[...ctx.weights.keys()].join(', ') || 'none'})`,
    );
  return w;
}

/** Refuse channels_first layers: tfjs models in this project are channels_last (NHWC). */
export function requireChannelsLast(ctx: ConvertContext): void {
  const f = ctx.config.dataFormat ?? ctx.config.data_format;
  if (f !== undefined && f !== 'channelsLast' && f !== 'channels_last') {
    throw new UnsupportedLayerError(ctx, `dataFormat '${String(f)}' (only channelsLast is supported)`);
  }
}

/** Require a rank-4 image value (held NCHW in the graph). */
export function requireImage(ctx: ConvertContext, v: OnnxValue): void {
  if (v.layout !== 'nchw' || v.shape.length !== 4) {
    throw new UnsupportedLayerError(ctx, `expected a rank-4 [N, H, W, C] input, got [${v.shape.join(', ')}]`);
  }
}
