import type * as tf from '@tensorflow/tfjs';
import { UsageError, UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { GraphBuilder } from './graph.js';
import { CONVERTERS, supportedLayers } from './layers/index.js';
import type { ConvertContext, LayerWeight, OnnxValue } from './layers/types.js';
import { convertFoldedConv, findContractFold } from './fold-contract.js';
import { inTfjsOrder } from './layers/reshape.js';
import { attr, valueInfo, type ModelProto } from '../onnx/encode.js';

/** Opsets the exporter writes (every op it uses has the same semantics across them). */
export const OPSET_MIN = 13;
export const OPSET_MAX = 17;
export const DEFAULT_OPSET = 13;
/** IR version 8 is what ONNX 1.12 (opset 17) introduced; runtimes since 2022 read it. */
export const IR_VERSION = 8;
/** Name of the dynamic batch dimension of the graph input and output. */
export const BATCH_DIM = 'N';

/** Options of {@link layersModelToOnnx}. */
export interface OnnxExportOptions {
  opset?: number;
  /** Graph input/output names (default: the tfjs model's). */
  inputName?: string;
  outputName?: string;
  metadata?: Record<string, string>;
  docString?: string;
  graphName?: string;
  /**
   * Fold the contract's padding and standardisation into the first convolution (its weights and pads):
   * the 13-node PyTorch-shaped graph, which runs as fast as PyTorch's own export, instead of Pad/Sub/Div
   * in front of it (16 nodes, slower in onnxruntime-node). `'auto'` (the default) folds whenever the
   * model starts with ZeroPadding2D -> Standardize -> Conv2D; `true` requires it; `false` keeps the three
   * nodes, which repeat tfjs' float operations one by one.
   */
  foldContract?: boolean | 'auto';
}

/** Validate an opset number; the error gives the valid range. */
export function checkOpset(opset: number): number {
  if (!Number.isInteger(opset) || opset < OPSET_MIN || opset > OPSET_MAX) {
    throw new UsageError(`--opset: expected an integer from ${OPSET_MIN} to ${OPSET_MAX}, got ${opset}`);
  }
  return opset;
}

/** ONNX dims of a tfjs value as the graph holds it (images NCHW), batch symbolic. */
function onnxDims(v: OnnxValue): Array<number | string> {
  const dims = v.shape.map((d, i) => (d === null ? (i === 0 ? BATCH_DIM : `d${i}`) : d));
  if (v.layout === 'nchw') return [dims[0], dims[3], dims[1], dims[2]]; // NHWC -> NCHW (shape only)
  return dims;
}

/** The layer's weights by short name, refusing NaN or infinite values (naming the tensor). */
function layerWeights(layer: tf.layers.Layer): Map<string, LayerWeight> {
  const out = new Map<string, LayerWeight>();
  const values = layer.getWeights();
  layer.weights.forEach((w, i) => {
    const data = values[i].dataSync();
    if (!(data instanceof Float32Array))
      throw new UserError(`weight '${w.originalName}': expected float32, got ${values[i].dtype}`);
    for (let j = 0; j < data.length; j++) {
      if (!Number.isFinite(data[j])) {
        throw new UserError(
          `weight '${w.originalName}' of layer '${layer.name}' holds ${data[j]} at index ${j}; the model is broken, re-train it (no ONNX file written)`,
        );
      }
    }
    out.set(w.originalName.split('/').pop()!, {
      name: w.originalName,
      shape: w.shape as number[],
      values: Float32Array.from(data),
    });
  });
  return out;
}

/**
 * Convert a tfjs LayersModel to an ONNX ModelProto: one converter per layer class (layers/index.ts), image
 * values held NCHW, weights re-laid out once so the graph has no layout Transpose.
 * @throws UserError for an unsupported layer (naming it, its class and the supported ones), NaN/Inf
 *   weights, or a bad opset; nothing is produced in that case.
 */
export function layersModelToOnnx(model: tf.LayersModel, o: OnnxExportOptions = {}): ModelProto {
  const opset = checkOpset(o.opset ?? DEFAULT_OPSET);
  if (model.inputs.length !== 1 || model.outputs.length !== 1) {
    throw new UserError(
      `model '${model.name}': expected 1 input and 1 output, got ${model.inputs.length} and ${model.outputs.length}`,
    );
  }
  const graph = new GraphBuilder();
  const values = new Map<number, OnnxValue>();
  const inputTensor = model.inputs[0];
  const inputName = o.inputName ?? model.inputNames[0];
  const input: OnnxValue = {
    name: inputName,
    shape: inputTensor.shape,
    layout: inputTensor.shape.length === 4 ? 'nchw' : 'same',
  };
  graph.reserve(inputName);
  values.set(inputTensor.id, input);

  const fold = o.foldContract === false ? undefined : findContractFold(model);
  if (o.foldContract === true && !fold) {
    throw new UserError(
      `--fold-contract: model '${model.name}' does not start with ZeroPadding2D -> Standardize -> Conv2D (valid padding); export without it`,
    );
  }
  for (const layer of model.layers) {
    const className = layer.getClassName();
    if (className === 'InputLayer') continue;
    if (fold && (layer === fold.pad || layer === fold.standardize)) {
      // Folded into the convolution below: their outputs stand for the raw input.
      values.set(layer.inboundNodes[0].outputTensors[0].id, input);
      continue;
    }
    const converter =
      fold && layer === fold.conv
        ? (ctx: ConvertContext) => convertFoldedConv(ctx, fold, input)
        : CONVERTERS[className];
    if (!converter) {
      throw new UserError(
        `layer '${layer.name}' (${className}) is not supported; supported layers: ${supportedLayers().join(', ')}; no ONNX file written`,
      );
    }
    if (layer.inboundNodes.length !== 1) {
      throw new UserError(
        `layer '${layer.name}' (${className}) is applied ${layer.inboundNodes.length} times; shared layers are not supported; no ONNX file written`,
      );
    }
    const node = layer.inboundNodes[0];
    const inputs = node.inputTensors.map((t) => {
      const v = values.get(t.id);
      if (!v) throw new Error(`internal: input '${t.name}' of layer '${layer.name}' not converted yet`);
      return v;
    });
    const out = converter({
      layer,
      className,
      config: layer.getConfig() as Record<string, unknown>,
      inputs,
      outputShape: node.outputTensors[0].shape,
      weights: layerWeights(layer),
      graph,
      opset,
    });
    values.set(node.outputTensors[0].id, out);
  }

  let result = values.get(model.outputs[0].id)!;
  const outputName = o.outputName ?? model.outputNames[0];
  if (result.layout === 'flat-nchw') {
    // A model that ends on a flattened multi-channel map must return tfjs' element order.
    result = { ...result, name: inTfjsOrder(graph, result, `${outputName}/output`), layout: 'same' };
    result.name = graph.addNode('Flatten', [result.name], `${outputName}/output/Flatten`, [attr.int('axis', 1)]);
  }
  // The last node's output carries the public name; a model that is all identity layers gets an Identity.
  if (result.name !== outputName && !graph.renameOutput(result.name, outputName)) {
    graph.addNode('Identity', [result.name], outputName);
  }
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'lenet-onnx',
    producerVersion: VERSION,
    docString: o.docString ?? '',
    graph: {
      name: o.graphName ?? model.name,
      node: graph.nodes,
      initializer: graph.initializers,
      input: [valueInfo(inputName, onnxDims(input))],
      output: [valueInfo(outputName, onnxDims({ ...result, name: outputName }))],
    },
    metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}
