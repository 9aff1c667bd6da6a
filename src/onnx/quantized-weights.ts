/**
 * The int8 weights of an ONNX file, read back: each INT8 initializer a DequantizeLinear turns into a float
 * weight, with its scales and zero points. Reads the decoded file only, so `inspect` of an .onnx file needs
 * nothing of the exporter (nor TensorFlow.js).
 */
import { DataType, floatValues, type ModelProto } from './encode.js';

/** A DequantizeLinear's node name is the weight's followed by this. */
export const DEQUANTIZE_SUFFIX = '/DequantizeLinear';

/** ONNX TensorProto.DataType of int8. */
export const INT8 = 3;

/** A quantized weight read back from an ONNX file (inspect, tests). */
export interface QuantizedWeightInfo {
  /** The weight: the name of the node reading it, from its DequantizeLinear's node name. */
  name: string;
  dims: number[];
  axis: number;
  scales: number[];
  zeroPoints: number[];
  /** Bytes of the int8 data, and what the same weight takes as float32. */
  bytes: number;
  floatBytes: number;
  /** Bytes of the scales and zero points. */
  overheadBytes: number;
}

/**
 * Find the DequantizeLinear nodes of a model that read INT8 initializers, with their scales and zero points.
 * Per-tensor ones (scalar scale) are reported with axis -1.
 */
export function readQuantizedWeights(model: ModelProto): QuantizedWeightInfo[] {
  const inits = new Map(model.graph.initializer.map((t) => [t.name, t]));
  const out: QuantizedWeightInfo[] = [];
  for (const n of model.graph.node) {
    if (n.opType !== 'DequantizeLinear') continue;
    const [x, s, z] = n.input.map((i) => (i ? inits.get(i) : undefined));
    if (!x || x.dataType !== INT8 || !s || s.dataType !== DataType.FLOAT) continue;
    const dims = x.dims.map(Number);
    const scales = Array.from(floatValues(s));
    const zp =
      z && z.dataType === INT8
        ? Array.from(new Int8Array(z.rawData.buffer, z.rawData.byteOffset, z.rawData.byteLength))
        : scales.map(() => 0);
    const axisAttr = n.attribute.find((a) => a.name === 'axis');
    const elements = dims.reduce((a, b) => a * b, 1);
    out.push({
      name: n.name.endsWith(DEQUANTIZE_SUFFIX) ? n.name.slice(0, -DEQUANTIZE_SUFFIX.length) : n.output[0],
      dims,
      axis: s.dims.length === 0 ? -1 : axisAttr ? Number(axisAttr.i) : 1,
      scales,
      zeroPoints: zp,
      bytes: elements,
      floatBytes: elements * 4,
      overheadBytes: scales.length * 4 + (z ? zp.length : 0),
    });
  }
  return out;
}
