/**
 * What `inspect` reports of a model, the same shape for ONNX files and tfjs models; apart from both readers so the
 * tfjs one, loaded only for tfjs models, needs nothing of the ONNX one.
 */
import type { Dim } from '../export/shape-infer.js';
import type { QuantizedWeightInfo } from '../onnx/quantized-weights.js';

/** One row of the summary: an ONNX node or a tfjs layer. */
export interface InspectRow {
  name: string;
  /** ONNX op type or tfjs layer class. */
  kind: string;
  outputShape: Dim[];
  params: number;
  /** tfjs models: whether the exporter converts the layer (yes, folded, nested, no) and how or why not. */
  converts?: string;
  convertNote?: string;
}

/** A model summary, the same shape for both formats (`inspect --json` prints it). */
export interface InspectReport {
  file: string;
  format: 'onnx' | 'tfjs-layers';
  /** Bytes on disk (model.json plus its weight files for tfjs). */
  fileBytes: number;
  irVersion?: number;
  opset?: number;
  producer?: string;
  inputs: Array<{ name: string; shape: Dim[] }>;
  outputs: Array<{ name: string; shape: Dim[] }>;
  rows: InspectRow[];
  totals: { rows: number; params: number };
  metadata: Record<string, string>;
  docString?: string;
  /** ONNX weights stored quantized behind a DequantizeLinear, with what storing them so saves. */
  quantized?: {
    weights: QuantizedWeightInfo[];
    /** Bytes of the quantized data, of the same weights as float32, and of their scales and zero points. */
    bytes: number;
    floatBytes: number;
    overheadBytes: number;
    savedBytes: number;
  };
}
