import { attr } from '../../onnx/encode.js';
import { addIntegerConstantAsFloat } from './fixed-constants.js';
import { requireImage, singleInput, UnsupportedLayerError, weight, type LayerConverter } from './types.js';

/**
 * MaskedConv2D (classic LeNet-5 C3) as the layer itself computes it: the free weights, one k x k kernel
 * per connection of the table, are placed into the dense kernel by a product with a constant 0/1 matrix,
 * then one Conv. The placement writes the OIHW layout directly (row o * inputMaps + i of the product is
 * kernel [o, i, :, :]), so no Transpose is needed. The file stores the 60 * 25 free weights (what
 * `inspect` counts: the paper's 1,516 parameters with the bias) and a UINT8 placement; everything before
 * the Conv reads only constants, so onnxruntime folds it into the Conv kernel at session creation.
 */
export const convertMaskedConv2D: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireImage(ctx, x);
  const c = ctx.config as { connections: number[][]; inputMaps: number; kernelSize: number };
  const k = c.kernelSize;
  const inputMaps = c.inputMaps;
  const outputMaps = c.connections.length;
  const pairs = c.connections.flatMap((ins, o) => ins.map((i) => [i, o] as const));
  const free = weight(ctx, 'kernel');
  const bias = weight(ctx, 'bias');
  if (free.values.length !== k * k * pairs.length) {
    throw new UnsupportedLayerError(
      ctx,
      `kernel holds ${free.values.length} values; the table's ${pairs.length} connections need ${k * k * pairs.length}`,
    );
  }
  // [kh, kw, connection] -> [connection, kh * kw]: each row one connection's kernel, row-major like OIHW's H, W.
  const rows = new Float32Array(free.values.length);
  for (let pos = 0; pos < k * k; pos++) {
    for (let p = 0; p < pairs.length; p++) rows[p * k * k + pos] = free.values[pos * pairs.length + p];
  }
  const placement = new Uint8Array(outputMaps * inputMaps * pairs.length);
  pairs.forEach(([i, o], p) => {
    placement[(o * inputMaps + i) * pairs.length + p] = 1;
  });

  const base = ctx.name;
  const placed = ctx.graph.addNode(
    'MatMul',
    [
      addIntegerConstantAsFloat(ctx.graph, `${base}/placement`, [outputMaps * inputMaps, pairs.length], placement),
      ctx.graph.addFloat(`${base}/kernel`, [pairs.length, k * k], rows),
    ],
    `${base}/MatMul`,
  );
  const kernel = ctx.graph.addNode(
    'Reshape',
    [placed, ctx.graph.addInt64(`${base}/kernel_shape`, [4], [outputMaps, inputMaps, k, k])],
    `${base}/Reshape`,
  );
  const out = ctx.graph.addNode(
    'Conv',
    [x.name, kernel, ctx.graph.addFloat(`${base}/bias`, bias.shape, bias.values)],
    `${base}/Conv`,
    [attr.ints('kernel_shape', [k, k]), attr.ints('strides', [1, 1]), attr.ints('pads', [0, 0, 0, 0])],
  );
  return { name: out, shape: ctx.outputShape, layout: 'nchw' };
};
