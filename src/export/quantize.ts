/**
 * Weight-only int8 quantization of the exported graph (`export --quantize int8`).
 *
 * Scheme: symmetric, per output channel, range [-127, 127], zero point 0. Each Conv and Gemm weight is
 * stored as an INT8 initializer with a float scale per output channel and read through a per-axis
 * `DequantizeLinear` (opset 13+); biases and activations stay float32.
 *
 * Why symmetric (zero point 0): the learned kernels of each channel straddle zero, so an asymmetric
 * [min, max] range would buy at most a fraction of a bit while making every dequantized weight
 * (q - z) * s instead of q * s; the accuracy gate is where a loss worth buying back would show.
 *
 * Speed: onnxruntime keeps a DequantizeLinear of a constant as a node by default (it preserves QDQ units
 * for its integer kernels), so the weights it feeds are not constants to its weight-packing optimisations;
 * the session config entry `session.disable_quant_qdq = 1` lets it fold them back into float initializers
 * when the session is created. bench/export.ts measures both. The
 * zero-point tensor is still written (all zeros, INT8): it states the quantized type explicitly, in the
 * three-input form onnxruntime's own quantizer writes, for the few bytes of one int8 per channel.
 * Why -127 rather than -128: q and -q both exist, so a kernel and its negation quantize alike.
 *
 * Parity needs a float model that computes what the int8 file computes. {@link roundWeightsThroughInt8}
 * makes one from the tfjs model by replacing each Conv2D/Dense kernel with its dequantized self; the
 * exporter then converts that rounded model (folding the contract into the rounded first kernel) and
 * {@link quantizeGraphWeights} quantizes the ONNX weights again. Because the rounded weights already lie
 * on the grid of their channel (and the exporter's layout changes and the fold's 1/std act within a
 * channel), the second quantization recovers the same integers; the parity check confirms it.
 */
import type * as tf from '@tensorflow/tfjs';
import * as tfjs from '@tensorflow/tfjs';
import { UserError } from '../errors.js';
import { allLayers, findBatchNormFolds } from './fold-batch-norm.js';
import {
  DataType,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  floatTensor,
  floatValues,
} from '../onnx/encode.js';
import { DEQUANTIZE_SUFFIX, INT8 } from '../onnx/quantized-weights.js';

export { INT8, readQuantizedWeights, type QuantizedWeightInfo } from '../onnx/quantized-weights.js';

/** Largest |q| of the symmetric int8 range. */
export const INT8_QMAX = 127;

/** A tensor quantized per channel along `axis`: value = (q - zeroPoint[c]) * scale[c]. */
export interface ChannelQuantization {
  q: Int8Array;
  dims: number[];
  axis: number;
  scales: Float32Array;
  zeroPoints: Int8Array;
}

function channelGeometry(dims: number[], axis: number): { channels: number; inner: number } {
  if (!Number.isInteger(axis) || axis < 0 || axis >= dims.length)
    throw new Error(`internal: axis ${axis} out of range for dims [${dims.join(', ')}]`);
  return { channels: dims[axis], inner: dims.slice(axis + 1).reduce((a, b) => a * b, 1) };
}

/**
 * Symmetric per-channel quantization: scale[c] = max |w| over channel c / qmax, q = round(w / scale),
 * zero point 0. A channel of zeros gets scale 1 (any scale represents it; 1 avoids a zero divisor for
 * whoever quantizes the dequantized values again).
 * @param qmax largest |q|; 127 for int8. Smaller values give a coarser grid (tests use it to force a loss).
 */
export function quantizePerChannel(
  values: Float32Array,
  dims: number[],
  axis: number,
  qmax = INT8_QMAX,
): ChannelQuantization {
  if (!Number.isInteger(qmax) || qmax < 1 || qmax > INT8_QMAX)
    throw new Error(`internal: qmax ${qmax} outside 1..${INT8_QMAX}`);
  const { channels, inner } = channelGeometry(dims, axis);
  const maxAbs = new Float32Array(channels);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const a = Math.abs(values[i]);
    if (a > maxAbs[c]) maxAbs[c] = a;
  }
  const scales = Float32Array.from(maxAbs, (m) => (m > 0 ? m / qmax : 1));
  const q = new Int8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const c = Math.floor(i / inner) % channels;
    q[i] = Math.max(-qmax, Math.min(qmax, Math.round(values[i] / scales[c])));
  }
  return { q, dims: [...dims], axis, scales, zeroPoints: new Int8Array(channels) };
}

/**
 * The float32 values a per-axis DequantizeLinear yields: (q - zeroPoint) * scale, rounded to float32
 * once, as onnxruntime computes it.
 */
export function dequantizePerChannel(t: ChannelQuantization): Float32Array {
  const { channels, inner } = channelGeometry(t.dims, t.axis);
  const out = new Float32Array(t.q.length);
  for (let i = 0; i < out.length; i++) {
    const c = Math.floor(i / inner) % channels;
    out[i] = (t.q[i] - t.zeroPoints[c]) * t.scales[c];
  }
  return out;
}

/** One tfjs kernel replaced by its int8-rounded self. */
export interface RoundedWeight {
  /** tfjs weight name, e.g. `c1/kernel`. */
  name: string;
  shape: number[];
  channels: number;
  /** Largest |rounded - original| over the tensor. */
  maxAbsChange: number;
}

/**
 * The kernels whose ONNX weight is quantized per output channel, and how their tfjs layout flattens to
 * [..., output channels]: Conv2D and Dense (and SeparableConv2D's pointwise kernel) end on the output
 * channel; a depthwise kernel [kh, kw, in, multiplier] ends on in x multiplier of them. A transposed
 * convolution's weight stays float in the file, so its kernel is left as it is.
 */
const ROUNDED_KERNELS: Record<string, Record<string, (shape: number[]) => number[]>> = {
  Conv2D: { kernel: (s) => s },
  Dense: { kernel: (s) => s },
  DepthwiseConv2D: { depthwise_kernel: (s) => [s[0] * s[1], s[2] * s[3]] },
  SeparableConv2D: { depthwise_kernel: (s) => [s[0] * s[1], s[2] * s[3]], pointwise_kernel: (s) => s },
};

/**
 * Replace, in place, every Conv2D, Dense, DepthwiseConv2D and SeparableConv2D kernel of `model` (nested
 * models included) by the float values its int8 quantization dequantizes to, per output channel. The
 * model then computes what the int8 ONNX file computes, so it is the parity reference; biases are
 * untouched. Where a BatchNormalization is folded into the layer, the grid is the folded weight's (kernel x
 * scale per channel), since that is what the file stores.
 * Keep the float model's figures before calling this: the original weights are gone afterwards.
 * @throws UserError for a NaN or infinite kernel value (which rounding would otherwise hide).
 * @param qmax as in {@link quantizePerChannel}.
 */
export function roundWeightsThroughInt8(model: tf.LayersModel, qmax = INT8_QMAX): RoundedWeight[] {
  const rounded: RoundedWeight[] = [];
  const folds = findBatchNormFolds(model);
  for (const layer of allLayers(model)) {
    const kernels = ROUNDED_KERNELS[layer.getClassName()];
    if (!kernels) continue;
    const values = layer.getWeights();
    const fold = folds.get(layer)?.affine.scale;
    const next = layer.weights.map((w, i) => {
      const short = w.originalName.split('/').pop()!;
      const flat = kernels[short];
      if (!flat) return values[i];
      const shape = w.shape as number[];
      const dims = flat(shape);
      const channels = dims[dims.length - 1];
      const original = values[i].dataSync() as Float32Array;
      const bad = original.findIndex((v) => !Number.isFinite(v));
      if (bad >= 0)
        throw new UserError(
          `weight '${w.originalName}' of layer '${layer.name}' holds ${original[bad]} at index ${bad}; the model is broken, re-train it (no ONNX file written)`,
        );
      // A folded BatchNormalization scales the layer's output channels: of a SeparableConv2D, the pointwise half.
      const folded = layer.getClassName() !== 'SeparableConv2D' || short === 'pointwise_kernel';
      const scale = fold && folded ? fold : undefined;
      const grid = scale ? Float32Array.from(original, (v, j) => v * scale[j % channels]) : original;
      let back = dequantizePerChannel(quantizePerChannel(grid, dims, dims.length - 1, qmax));
      if (scale) back = Float32Array.from(back, (v, j) => v / scale[j % channels]);
      let maxAbsChange = 0;
      for (let j = 0; j < back.length; j++) maxAbsChange = Math.max(maxAbsChange, Math.abs(back[j] - original[j]));
      rounded.push({ name: w.originalName, shape, channels, maxAbsChange });
      return tfjs.tensor(back, shape);
    });
    layer.setWeights(next);
    // getWeights() hands out the variables' own tensors, so only the new ones are ours to free.
    next.forEach((t, i) => {
      if (t !== values[i]) t.dispose();
    });
  }
  return rounded;
}

/** A weight of the exported graph stored as int8, as `inspect` and the export log describe it. */
export interface QuantizedInitializer {
  /** The weight as people read it: the name of the Conv or Gemm node that reads it (tensors are numbered). */
  name: string;
  /** The float tensor the DequantizeLinear produces (the Conv/Gemm input name, unchanged). */
  tensor: string;
  /** Names of the INT8 data, the float scales and the INT8 zero points. */
  quantized: string;
  scale: string;
  zeroPoint: string;
  dims: number[];
  axis: number;
  consumer: string;
}

/**
 * The output axis of a Conv or Gemm weight: OIHW's O for Conv; for Gemm, B is [out, in] when transB = 1
 * (what the exporter writes) and [in, out] otherwise.
 */
function outputAxis(node: NodeProto): number | undefined {
  if (node.opType === 'Conv') return 0;
  if (node.opType === 'Gemm') {
    const transB = node.attribute.find((a) => a.name === 'transB');
    return transB && Number(transB.i) === 1 ? 0 : 1;
  }
  return undefined;
}

/** Suffixes of the three initializers that replace a quantized weight. */
export const QUANT_SUFFIX = { quantized: '/quantized', scale: '/scale', zeroPoint: '/zero_point' } as const;

/**
 * Quantize, in place, every float Conv/Gemm weight initializer of `model` that only its node reads:
 * the initializer becomes INT8 data + per-channel scales + zero points, and a per-axis DequantizeLinear
 * placed just before the consumer gives back the float tensor under the original name, so the Conv or
 * Gemm itself is unchanged. Biases stay float.
 * @param qmax as in {@link quantizePerChannel}.
 * @returns the quantized weights, in graph order.
 * @throws Error when the model's opset is below 13 (no per-axis DequantizeLinear).
 */
export function quantizeGraphWeights(model: ModelProto, qmax = INT8_QMAX): QuantizedInitializer[] {
  const opset = model.opsetImport.find((o) => !o.domain)?.version ?? 0;
  if (opset < 13)
    throw new Error(`internal: per-axis DequantizeLinear needs opset 13 or later, the model has ${opset}`);
  const graph = model.graph;
  const inits = new Map(graph.initializer.map((t) => [t.name, t]));
  const readers = new Map<string, number>();
  for (const n of graph.node) for (const i of n.input) readers.set(i, (readers.get(i) ?? 0) + 1);
  const done: QuantizedInitializer[] = [];
  const nodes: NodeProto[] = [];
  const replaced = new Map<string, TensorProto[]>();
  for (const node of graph.node) {
    const axis = outputAxis(node);
    const w = axis === undefined ? undefined : inits.get(node.input[1]);
    if (axis !== undefined && w && w.dataType === DataType.FLOAT && readers.get(w.name) === 1) {
      const dims = w.dims.map(Number);
      const t = quantizePerChannel(floatValues(w), dims, axis, qmax);
      const names = {
        quantized: w.name + QUANT_SUFFIX.quantized,
        scale: w.name + QUANT_SUFFIX.scale,
        zeroPoint: w.name + QUANT_SUFFIX.zeroPoint,
      };
      replaced.set(w.name, [
        {
          name: names.quantized,
          dims,
          dataType: INT8,
          rawData: new Uint8Array(t.q.buffer, t.q.byteOffset, t.q.byteLength),
        },
        floatTensor(names.scale, [dims[axis]], t.scales),
        { name: names.zeroPoint, dims: [dims[axis]], dataType: INT8, rawData: new Uint8Array(t.zeroPoints.buffer) },
      ]);
      nodes.push({
        name: `${node.name || w.name}${DEQUANTIZE_SUFFIX}`,
        opType: 'DequantizeLinear',
        input: [names.quantized, names.scale, names.zeroPoint],
        output: [w.name],
        attribute: [{ name: 'axis', type: 2, i: axis }],
      });
      done.push({
        name: node.name || w.name,
        tensor: w.name,
        ...names,
        dims,
        axis,
        consumer: node.name || node.output[0],
      });
    }
    nodes.push(node);
  }
  graph.node = nodes;
  graph.initializer = graph.initializer.flatMap((t) => replaced.get(t.name) ?? [t]);
  return done;
}

/** metadata_props keys recording the quantization in the file. */
export function quantizationMetadata(weights: QuantizedInitializer[], qmax = INT8_QMAX): Record<string, string> {
  return {
    'quantization.mode': 'weight-only',
    'quantization.type': 'int8',
    'quantization.scheme':
      qmax === INT8_QMAX
        ? 'symmetric per output channel, range [-127, 127], zero point 0'
        : `symmetric per output channel, range [-${qmax}, ${qmax}], zero point 0`,
    'quantization.operator': 'DequantizeLinear (per-axis)',
    'quantization.weights': weights.map((w) => `${w.name}[axis ${w.axis}]`).join(', '),
    'quantization.float_weights': 'biases; activations stay float32',
  };
}
