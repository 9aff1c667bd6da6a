import type * as tf from '@tensorflow/tfjs';
import { UsageError, UserError } from '../errors.js';
import { VERSION } from '../version.js';
import { GraphBuilder } from './graph.js';
import { CONVERTERS, supportedLayers } from './layers/index.js';
import type { ConvertContext, LayerWeight, OnnxValue } from './layers/types.js';
import { convertFoldedConv, findContractFold } from './fold-contract.js';
import { asChannelsFirst, heldAxes, inTfjsOrder } from './layers/held.js';
import { findBatchNormFolds, graphOf, isModelLayer, type BatchNormFold } from './fold-batch-norm.js';
import { KNOWN_TFJS_CLASSES } from './layers/known-classes.js';
import type { ContractFold } from './fold-contract.js';
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
  /**
   * How a rank-4 (image) graph input is fed: `nchw` (default; the graph has no layout Transpose at all) or
   * `nhwc`, as tfjs takes it (one Transpose after the input, the rest of the graph channels-first).
   */
  inputLayout?: InputLayout;
}

/** Layouts a rank-4 graph input can take. */
export const INPUT_LAYOUTS = ['nhwc', 'nchw'] as const;
export type InputLayout = (typeof INPUT_LAYOUTS)[number];

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
  if (v.layout === 'nchw') return heldAxes(v).map((a) => dims[a]); // channels-last -> channels-first (shape only)
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

/** Values of the tfjs graph being converted, and what the walk over nested models shares. */
interface Walk {
  graph: GraphBuilder;
  opset: number;
  fold?: ContractFold;
  /** The raw graph input (the folded contract layers stand for it). */
  input: OnnxValue;
  batchNormFolds: Map<tf.layers.Layer, BatchNormFold>;
  folded: Set<tf.layers.Layer>;
}

/**
 * Convert the nodes of one (possibly nested) model in tfjs' own execution order (deepest first), its
 * inputs standing for `inputs`; returns the values of its outputs. A model used as a layer is walked in
 * place, its names prefixed with its own.
 */
function convertGraph(model: tf.LayersModel, inputs: OnnxValue[], scope: string, w: Walk): OnnxValue[] {
  const g = graphOf(model);
  const values = new Map<number, OnnxValue>();
  g.inputs.forEach((t, i) => values.set(t.id, inputs[i]));
  const depths = Object.keys(g.nodesByDepth)
    .map(Number)
    .sort((a, b) => b - a);
  for (const depth of depths) {
    for (const node of g.nodesByDepth[depth]) {
      const layer = node.outboundLayer;
      const className = layer.getClassName();
      if (className === 'InputLayer') continue;
      const ins = node.inputTensors.map((t) => {
        const v = values.get(t.id);
        if (!v) throw new Error(`internal: input '${t.name}' of layer '${layer.name}' not converted yet`);
        return v;
      });
      // A model's first node is the one its constructor made (its own inputs to its outputs), no application.
      const own = isModelLayer(layer) && layer.inboundNodes[0]?.inputTensors[0] === graphOf(layer).inputs[0] ? 1 : 0;
      const application = layer.inboundNodes.indexOf(node) - own;
      const name = `${scope}${layer.name}${application > 0 ? `_${application}` : ''}`;
      let outs: OnnxValue[];
      if (isModelLayer(layer)) {
        outs = convertGraph(layer, ins, `${name}/`, w);
      } else if (w.fold && (layer === w.fold.pad || layer === w.fold.standardize)) {
        // Folded into the convolution below: their outputs stand for the raw input.
        outs = [w.input];
      } else if (w.folded.has(layer)) {
        // A BatchNormalization already inside the layer before it.
        outs = ins;
      } else {
        const converter =
          w.fold && layer === w.fold.conv
            ? (ctx: ConvertContext) => convertFoldedConv(ctx, w.fold!, w.input)
            : CONVERTERS[className];
        if (!converter) throw unsupported(layer, className);
        const bnFold = w.batchNormFolds.get(layer);
        outs = [
          converter({
            layer,
            name,
            className,
            config: layer.getConfig() as Record<string, unknown>,
            inputs: ins,
            outputShape: node.outputTensors[0].shape,
            weights: layerWeights(layer),
            graph: w.graph,
            opset: w.opset,
            ...(bnFold ? { fold: bnFold.affine } : {}),
          }),
        ];
      }
      node.outputTensors.forEach((t, i) => values.set(t.id, outs[i]));
    }
  }
  return g.outputs.map((t) => values.get(t.id)!);
}

/** The one-line refusal for a layer no converter knows: what it is and what to do. */
function unsupported(layer: tf.layers.Layer, className: string): UserError {
  const custom = className === 'Lambda' || !KNOWN_TFJS_CLASSES.has(className);
  const what = custom
    ? 'is a custom layer the exporter cannot see inside; rewrite it with built-in layers (or register a converter for it)'
    : 'is not supported; replace it with a supported layer or register a converter for it';
  return new UserError(
    `layer '${layer.name}' (${className}) ${what}; supported layers: ${supportedLayers().join(', ')}; no ONNX file written`,
  );
}

/**
 * Convert a tfjs LayersModel to an ONNX ModelProto: one converter per layer class (layers/index.ts),
 * nested models walked in place, image values held channels-first (one Transpose at an NHWC graph input,
 * none for `inputLayout: 'nchw'`), weights re-laid out once so no Transpose pair is left between layers.
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
  const inputTensor = model.inputs[0];
  // A loaded Sequential knows its input and output names only once its inner graph is built.
  const inputName = o.inputName ?? graphOf(model).inputNames[0];
  const image = inputTensor.shape.length === 4;
  const inputLayout = o.inputLayout ?? 'nchw';
  // What the caller feeds: an image NCHW, or as tfjs takes it (NHWC, or any non-image shape).
  const fed: OnnxValue = {
    name: inputName,
    shape: inputTensor.shape,
    layout: image && inputLayout === 'nchw' ? 'nchw' : 'same',
  };
  graph.reserve(inputName);
  const input = image ? asChannelsFirst(graph, fed, inputName) : fed;

  const fold = o.foldContract === false ? undefined : findContractFold(model);
  if (o.foldContract === true && !fold) {
    throw new UserError(
      `--fold-contract: model '${model.name}' does not start with ZeroPadding2D -> Standardize -> Conv2D (valid padding); export without it`,
    );
  }
  const batchNormFolds = findBatchNormFolds(model);
  const walk: Walk = {
    graph,
    opset,
    fold,
    input,
    batchNormFolds,
    folded: new Set([...batchNormFolds.values()].map((f) => f.batchNorm)),
  };
  let result = convertGraph(model, [input], '', walk)[0];
  const outputName = o.outputName ?? graphOf(model).outputNames[0];
  if (result.layout === 'nchw' && result.shape.length === 3) {
    // Only images leave the graph channels-first; a 1-D sequence goes back to tfjs' order.
    result = { ...result, name: inTfjsOrder(graph, result, `${outputName}/output`), layout: 'same' };
  }
  if (result.layout === 'flat-nchw') {
    // A model that ends on a flattened multi-channel map must return tfjs' element order.
    result = { ...result, name: inTfjsOrder(graph, result, `${outputName}/output`), layout: 'same' };
    result.name = graph.addNode('Flatten', [result.name], `${outputName}/output/Flatten`, [attr.int('axis', 1)]);
  }
  // The last node's output carries the public name; a model that is all identity layers gets an Identity.
  if (result.name !== outputName && !graph.renameOutput(result.name, outputName)) {
    graph.renameOutput(graph.addNode('Identity', [result.name], `${outputName}/Identity`), outputName);
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
      input: [valueInfo(inputName, onnxDims(fed))],
      output: [valueInfo(outputName, onnxDims({ ...result, name: outputName }))],
    },
    metadataProps: Object.entries(o.metadata ?? {}).map(([key, value]) => ({ key, value })),
  };
}
