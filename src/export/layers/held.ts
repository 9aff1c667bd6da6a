import { attr } from '../../onnx/encode.js';
import type { GraphBuilder } from '../graph.js';
import type { OnnxValue } from './types.js';

/** Axes of a channels-first held value, as tfjs axes: [0, r-1, 1, ..., r-2]. */
export function channelsFirstAxes(rank: number): number[] {
  return [0, rank - 1, ...Array.from({ length: rank - 2 }, (_, i) => i + 1)];
}

/** Which tfjs axis each axis of the ONNX tensor holds. */
export function heldAxes(v: OnnxValue): number[] {
  const rank = v.layout === 'flat-nchw' ? 2 : v.shape.length;
  return v.layout === 'nchw' ? channelsFirstAxes(rank) : Array.from({ length: rank }, (_, i) => i);
}

/** The ONNX axis holding tfjs axis `axis` (negative counts from the end, as in tfjs). */
export function heldAxis(v: OnnxValue, axis: number): number {
  const rank = v.shape.length;
  const a = axis < 0 ? axis + rank : axis;
  return heldAxes(v).indexOf(a);
}

/** True when the channel-first and channel-last orders of `v` are the same memory (one channel or one pixel). */
function ordersCoincide(v: OnnxValue): boolean {
  const dims = v.shape.slice(1) as number[];
  const c = dims[dims.length - 1];
  return c === 1 || dims.slice(0, -1).every((d) => d === 1);
}

/**
 * The ONNX name of `x` in tfjs element order. Only layers that re-read memory (Reshape, Permute, a merge
 * of differently held values) need it, so a channels-first value is put back channels-last here alone;
 * with one channel or a 1x1 map the orders coincide and no node is added.
 */
export function inTfjsOrder(graph: GraphBuilder, x: OnnxValue, base: string): string {
  if (x.layout === 'nchw') {
    if (ordersCoincide(x)) return x.name;
    const rank = x.shape.length;
    const perm = [0, ...Array.from({ length: rank - 2 }, (_, i) => i + 2), 1]; // channels-first -> channels-last
    return graph.addNode('Transpose', [x.name], `${base}/ToNHWC`, [attr.ints('perm', perm)]);
  }
  if (x.layout === 'flat-nchw') {
    const [h, w, c] = x.from!;
    const shape = graph.addInt64(`${base}/unflatten_shape`, [4], [-1, c, h, w]);
    const map = graph.addNode('Reshape', [x.name, shape], `${base}/Unflatten`);
    const nhwc = graph.addNode('Transpose', [map], `${base}/ToNHWC`, [attr.ints('perm', [0, 2, 3, 1])]); // NCHW -> NHWC
    return nhwc;
  }
  return x.name;
}

/**
 * `x` held channels-first: a rank-3 or rank-4 value in tfjs order gets one Transpose (a value coming from
 * a Reshape or a rank-3 model input; image model inputs are transposed once, at the graph input).
 */
export function asChannelsFirst(graph: GraphBuilder, x: OnnxValue, base: string): OnnxValue {
  if (x.layout === 'nchw') return x;
  const rank = x.shape.length;
  if (x.layout !== 'same' || (rank !== 3 && rank !== 4)) return x;
  if (ordersCoincide(x)) {
    const dims = x.shape.slice(1) as number[];
    const shape = graph.addInt64(`${base}/channels_first_shape`, [rank], [-1, dims[rank - 2], ...dims.slice(0, -1)]);
    return { ...x, name: graph.addNode('Reshape', [x.name, shape], `${base}/ToNCHW`), layout: 'nchw' };
  }
  const perm = channelsFirstAxes(rank);
  return {
    ...x,
    name: graph.addNode('Transpose', [x.name], `${base}/ToNCHW`, [attr.ints('perm', perm)]),
    layout: 'nchw',
  };
}
