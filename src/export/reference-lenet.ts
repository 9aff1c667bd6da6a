import type * as tf from '@tensorflow/tfjs';
import { hwioToOihw, inOutToOutIn, permuteDenseRowsNhwcToNchw } from './layout.js';
import { attr, floatTensor, valueInfo, type ModelProto, type NodeProto } from '../onnx/encode.js';
import { IR_VERSION } from './to-onnx.js';

/**
 * The LeNet-5 graph as PyTorch's exporter writes it for the same network, built by hand as a yardstick:
 * 13 nodes (Conv, Relu, MaxPool x2, Flatten, Gemm(transB=1)/Relu x3 with Softmax last), no contract
 * nodes, so its input is the already padded and standardised [N, 1, 32, 32] picture. Used by the
 * benchmark (throughput and file size beside ours) and by the tests as an independent equivalence check.
 */
export function buildReferenceLenet(model: tf.LayersModel, opset = 13): ModelProto {
  const w = (layer: string) =>
    model
      .getLayer(layer)
      .getWeights()
      .map((t) => ({ values: t.dataSync() as Float32Array, shape: t.shape }));
  const init = [];
  const nodes: NodeProto[] = [];
  // Node '/conv1/Conv' writes '/conv1/Conv_output_0': PyTorch's naming, which the size comparison relies on.
  const node = (opType: string, input: string[], name: string, attribute = [] as NodeProto['attribute']) => {
    const output = name === 'output' ? name : `${name}_output_0`;
    nodes.push({ name: name === 'output' ? '/Softmax' : name, opType, input, output: [output], attribute });
    return output;
  };
  let x = 'input';
  for (const [i, layer] of ['c1', 'c3'].entries()) {
    const [k, b] = w(layer);
    const oihw = hwioToOihw(k.values, k.shape); // HWIO -> OIHW
    init.push(
      floatTensor(`conv${i + 1}.weight`, oihw.dims, oihw.values),
      floatTensor(`conv${i + 1}.bias`, b.shape, b.values),
    );
    // The attributes PyTorch spells out, defaults included.
    x = node('Conv', [x, `conv${i + 1}.weight`, `conv${i + 1}.bias`], `/conv${i + 1}/Conv`, [
      attr.ints('dilations', [1, 1]),
      attr.int('group', 1),
      attr.ints('kernel_shape', [5, 5]),
      attr.ints('pads', [0, 0, 0, 0]),
      attr.ints('strides', [1, 1]),
    ]);
    x = node('Relu', [x], `/relu${i + 1}/Relu`);
    x = node('MaxPool', [x], `/pool${i + 1}/MaxPool`, [
      attr.int('ceil_mode', 0),
      attr.ints('kernel_shape', [2, 2]),
      attr.ints('pads', [0, 0, 0, 0]),
      attr.ints('strides', [2, 2]),
    ]);
  }
  x = node('Flatten', [x], '/Flatten', [attr.int('axis', 1)]);
  for (const [i, layer] of ['f5', 'f6', 'probabilities'].entries()) {
    const [k, b] = w(layer);
    const [inF, outF] = k.shape;
    const rows = i === 0 ? permuteDenseRowsNhwcToNchw(k.values, outF, [5, 5, 16]) : k.values; // NHWC flatten order -> NCHW
    init.push(
      floatTensor(`fc${i + 1}.weight`, [outF, inF], inOutToOutIn(rows, [inF, outF])),
      floatTensor(`fc${i + 1}.bias`, b.shape, b.values),
    );
    x = node('Gemm', [x, `fc${i + 1}.weight`, `fc${i + 1}.bias`], `/fc${i + 1}/Gemm`, [
      attr.float('alpha', 1),
      attr.float('beta', 1),
      attr.int('transB', 1),
    ]);
    x = node(
      i < 2 ? 'Relu' : 'Softmax',
      [x],
      i < 2 ? `/relu${i + 3}/Relu` : 'output',
      i < 2 ? [] : [attr.int('axis', 1)],
    );
  }
  return {
    irVersion: IR_VERSION,
    opsetImport: [{ domain: '', version: opset }],
    producerName: 'reference',
    producerVersion: '',
    docString: '',
    graph: {
      name: 'main_graph',
      node: nodes,
      initializer: init,
      input: [valueInfo('input', ['N', 1, 32, 32])],
      output: [valueInfo('output', ['N', 10])],
    },
    metadataProps: [],
  };
}

/** Pad 28x28 pictures to 32x32 and standardise them: the reference graph's input, computed outside it. */
export function referenceInput(pixels: Float32Array, count: number, mean: number, std: number): Float32Array {
  const out = new Float32Array(count * 32 * 32).fill((0 - mean) / std);
  for (let n = 0; n < count; n++) {
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) out[n * 1024 + (y + 2) * 32 + x + 2] = (pixels[n * 784 + y * 28 + x] - mean) / std;
    }
  }
  return out;
}
