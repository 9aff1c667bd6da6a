import { attr } from '../proto.js';
import { hwioToOihw } from '../layout.js';
import { requireImage, singleInput, UnsupportedLayerError, weight, type ConvertContext, type LayerConverter } from './types.js';

/**
 * The dense HWIO kernel of a MaskedConv2D from its free weights [k, k, connections] and its connection
 * table: weight c of every kernel position goes to (input map, output map) of the table's c-th pair
 * (output maps in order, each with its inputs as listed), zeros elsewhere. Mirrors the layer's own
 * placement exactly.
 */
export function maskedDenseKernel(ctx: Pick<ConvertContext, 'layer' | 'className'>, free: Float32Array, connections: number[][], inputMaps: number, k: number): Float32Array {
  const pairs = connections.flatMap((ins, o) => ins.map((i) => [i, o] as const));
  const outputMaps = connections.length;
  if (free.length !== k * k * pairs.length) {
    throw new UnsupportedLayerError(ctx, `kernel holds ${free.length} values; the table's ${pairs.length} connections need ${k * k * pairs.length}`);
  }
  const dense = new Float32Array(k * k * inputMaps * outputMaps);
  for (let pos = 0; pos < k * k; pos++) {
    pairs.forEach(([i, o], c) => { dense[(pos * inputMaps + i) * outputMaps + o] = free[pos * pairs.length + c]; });
  }
  return dense;
}

/**
 * MaskedConv2D (classic LeNet-5 C3): one Conv whose kernel has the connection table already applied
 * (zeros for the missing connections), so the graph needs no mask op at run time.
 */
export const convertMaskedConv2D: LayerConverter = (ctx) => {
  const x = singleInput(ctx);
  requireImage(ctx, x);
  const c = ctx.config as { connections: number[][]; inputMaps: number; kernelSize: number };
  const k = c.kernelSize;
  const free = weight(ctx, 'kernel');
  const bias = weight(ctx, 'bias');
  const dense = maskedDenseKernel(ctx, free.values, c.connections, c.inputMaps, k);
  const oihw = hwioToOihw(dense, [k, k, c.inputMaps, c.connections.length]); // HWIO -> OIHW
  const base = ctx.layer.name;
  const out = ctx.graph.addNode('Conv', [
    x.name,
    ctx.graph.addFloat(`${base}/kernel`, oihw.dims, oihw.values),
    ctx.graph.addFloat(`${base}/bias`, bias.shape, bias.values),
  ], `${base}/Conv`, [
    attr.ints('kernel_shape', [k, k]),
    attr.ints('strides', [1, 1]),
    attr.ints('pads', [0, 0, 0, 0]),
  ]);
  return { name: out, shape: ctx.outputShape, layout: 'nchw' };
};
