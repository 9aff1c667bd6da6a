import { floatValues, int64Values, type ModelProto, type NodeProto, type TensorProto } from '../onnx/encode.js';

/** A dimension: a size, a symbolic name (the batch), or '?' when unknown. */
export type Dim = number | string;

const SAME_SHAPE = new Set([
  'Relu',
  'Tanh',
  'Sigmoid',
  'Elu',
  'Selu',
  'Softplus',
  'Softsign',
  'HardSigmoid',
  'Softmax',
  'Identity',
  'Clip',
  'BatchNormalization',
  'Dropout',
  'LeakyRelu',
  'Cast',
  'Neg',
  'Exp',
  'Log',
  'Sqrt',
  'Abs',
  'DequantizeLinear',
  'QuantizeLinear',
  'LogSoftmax',
  'PRelu',
  'ThresholdedRelu',
  'Erf',
]);
/** Element-wise ops with numpy broadcasting of their inputs. */
const BROADCAST = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'Max', 'Min']);

/** Numpy broadcasting of two shapes, aligned at the right; a 1 stretches, unknowns stay unknown. */
function broadcast(a: Dim[], b: Dim[]): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1,
      y = b[b.length - n + i] ?? 1;
    // A size against a symbol: the symbol must be that size (or 1), so the size is the answer.
    out.push(
      x === 1
        ? y
        : y === 1
          ? x
          : x === y
            ? x
            : typeof x === 'number' && typeof y === 'number'
              ? '?'
              : typeof x === 'number'
                ? x
                : typeof y === 'number'
                  ? y
                  : x,
    );
  }
  return out;
}

/** Numpy matmul: rank-1 operands gain and lose a dimension, leading (batch) dimensions broadcast. */
function matmul(a: Dim[], b: Dim[]): Dim[] {
  const a2 = a.length === 1 ? [1, a[0]] : a,
    b2 = b.length === 1 ? [b[0], 1] : b;
  const out = [...broadcast(a2.slice(0, -2), b2.slice(0, -2)), a2[a2.length - 2], b2[b2.length - 1]];
  if (a.length === 1) out.splice(out.length - 2, 1);
  if (b.length === 1) out.pop();
  return out;
}

/** Axes of a node from its opset >= 13 input `index`, or from its `axes` attribute (older opsets). */
function axesOf(node: NodeProto, index: number, consts: Map<string, TensorProto>): number[] | undefined {
  const t = node.input[index] ? consts.get(node.input[index]) : undefined;
  return t ? int64Values(t) : ints(node, 'axes');
}

function ints(node: NodeProto, name: string): number[] | undefined {
  return node.attribute.find((a) => a.name === name)?.ints?.map(Number);
}

function int(node: NodeProto, name: string, fallback: number): number {
  const a = node.attribute.find((x) => x.name === name);
  return a?.i === undefined ? fallback : Number(a.i);
}

function product(dims: Dim[]): Dim {
  if (dims.some((d) => typeof d !== 'number')) return dims.length === 1 ? dims[0] : '?';
  return (dims as number[]).reduce((a, b) => a * b, 1);
}

/** A window's size: its `kernel_shape`, or (a convolution may leave it out) its weight's trailing dims. */
function kernelShape(node: NodeProto, weight: Dim[] | undefined): number[] {
  const k = ints(node, 'kernel_shape');
  if (k) return k;
  const spatial = weight?.slice(2) ?? [];
  return spatial.every((d) => typeof d === 'number') ? (spatial as number[]) : [];
}

function windowed(x: Dim[], node: NodeProto, channels: Dim, weight?: Dim[]): Dim[] {
  const k = kernelShape(node, weight);
  const s = ints(node, 'strides') ?? k.map(() => 1);
  const d = ints(node, 'dilations') ?? k.map(() => 1);
  const p = ints(node, 'pads') ?? [...k, ...k].map(() => 0);
  const spatial = x
    .slice(2)
    .map((n, i) =>
      typeof n === 'number' ? Math.floor((n + p[i] + p[i + k.length] - ((k[i] - 1) * d[i] + 1)) / s[i]) + 1 : '?',
    );
  return [x[0], channels, ...spatial];
}

/**
 * Output shapes of every node of the ops lenet-onnx writes, from the graph input shapes and the
 * initializers; anything else is '?'. For `inspect` (the files carry no value_info, to stay lean).
 */
export function inferShapes(model: ModelProto): Map<string, Dim[]> {
  const shapes = new Map<string, Dim[]>();
  const consts = new Map(model.graph.initializer.map((t) => [t.name, t]));
  for (const t of model.graph.initializer) shapes.set(t.name, t.dims.map(Number));
  for (const v of model.graph.input) {
    shapes.set(
      v.name,
      (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0))),
    );
  }
  for (const node of model.graph.node) {
    const x = shapes.get(node.input[0]);
    let out: Dim[] | undefined;
    if (x) {
      switch (node.opType) {
        case 'Conv':
          out = windowed(x, node, shapes.get(node.input[1])?.[0] ?? '?', shapes.get(node.input[1]));
          break;
        case 'MaxPool':
        case 'AveragePool':
          out = windowed(x, node, x[1]);
          break;
        case 'ConvTranspose': {
          const w = shapes.get(node.input[1]);
          const k = kernelShape(node, w);
          const st = ints(node, 'strides') ?? k.map(() => 1);
          const p = ints(node, 'pads') ?? [...k, ...k].map(() => 0);
          const op = ints(node, 'output_padding') ?? k.map(() => 0);
          const spatial = x
            .slice(2)
            .map((n, i) => (typeof n === 'number' ? st[i] * (n - 1) + op[i] + k[i] - p[i] - p[i + k.length] : '?'));
          out = [x[0], w?.[1] ?? '?', ...spatial];
          break;
        }
        case 'Concat': {
          const ins = node.input.map((i) => shapes.get(i));
          if (ins.every((d) => d)) {
            const a = int(node, 'axis', 0);
            const axis = a < 0 ? a + x.length : a;
            const sum = ins.map((d) => d![axis]);
            out = x.map((d, i) =>
              i !== axis
                ? d
                : sum.every((v) => typeof v === 'number')
                  ? (sum as number[]).reduce((p, q) => p + q, 0)
                  : '?',
            );
          }
          break;
        }
        case 'Slice': {
          const starts = consts.get(node.input[1]);
          const ends = consts.get(node.input[2]);
          const axes = node.input[3] ? consts.get(node.input[3]) : undefined;
          if (starts && ends) {
            const st = int64Values(starts);
            const en = int64Values(ends);
            const ax = axes ? int64Values(axes) : st.map((_, i) => i);
            out = [...x];
            ax.forEach((a, i) => {
              const d = x[a];
              if (typeof d === 'number') out![a] = Math.min(en[i], d) - Math.max(st[i], 0);
            });
          }
          break;
        }
        case 'Resize': {
          const scales = node.input[2] ? consts.get(node.input[2]) : undefined;
          if (scales) {
            const f = floatValues(scales);
            out = x.map((d, i) => (typeof d === 'number' ? Math.floor(d * f[i]) : d));
          } else out = [x[0], x[1], '?', '?'];
          break;
        }
        case 'Pad': {
          const pads = consts.get(node.input[1]);
          const p = pads ? int64Values(pads) : undefined;
          out = x.map((d, i) => (p && typeof d === 'number' ? d + p[i] + p[i + x.length] : d));
          break;
        }
        case 'Flatten': {
          const a = int(node, 'axis', 1);
          out = [product(x.slice(0, a)), product(x.slice(a))];
          break;
        }
        case 'Gemm': {
          const b = shapes.get(node.input[1]);
          out = [x[int(node, 'transA', 0) ? 1 : 0], b ? b[int(node, 'transB', 0) ? 0 : 1] : '?'];
          break;
        }
        case 'MatMul': {
          const b = shapes.get(node.input[1]);
          out = b ? matmul(x, b) : undefined;
          break;
        }
        case 'Unsqueeze': {
          const axes = axesOf(node, 1, consts);
          if (axes) {
            const rank = x.length + axes.length;
            const at = new Set(axes.map((a) => (a < 0 ? a + rank : a)));
            const rest = [...x];
            out = Array.from({ length: rank }, (_, i) => (at.has(i) ? 1 : rest.shift()!));
          }
          break;
        }
        case 'ReduceSum':
        case 'ReduceMean':
        case 'ReduceMax': {
          const axes = axesOf(node, node.opType === 'ReduceSum' ? 1 : -1, consts)?.map((a) =>
            a < 0 ? a + x.length : a,
          );
          const keep = int(node, 'keepdims', 1) === 1;
          // No axes: every axis is reduced (noop_with_empty_axes aside, which lenet-onnx never writes).
          const reduced = new Set(axes ?? x.map((_, i) => i));
          out = keep ? x.map((d, i) => (reduced.has(i) ? 1 : d)) : x.filter((_, i) => !reduced.has(i));
          break;
        }
        case 'Transpose': {
          const perm = ints(node, 'perm') ?? x.map((_, i) => x.length - 1 - i);
          out = perm.map((i) => x[i]);
          break;
        }
        case 'Reshape': {
          const t = consts.get(node.input[1]);
          if (t) {
            const target: Dim[] = int64Values(t).map((d, i) => (d === 0 ? x[i] : d));
            const known = target.filter((d) => typeof d === 'number' && d !== -1) as number[];
            const total = product(x);
            const fill = typeof total === 'number' ? total / known.reduce((a, b) => a * b, 1) : (x[0] ?? '?');
            out = target.map((d) => (d === -1 ? fill : d));
          }
          break;
        }
        default:
          if (SAME_SHAPE.has(node.opType)) out = x;
          else if (BROADCAST.has(node.opType)) {
            const y = shapes.get(node.input[1]);
            out = y ? broadcast(x, y) : undefined;
          }
      }
    }
    for (const o of node.output) shapes.set(o, out ?? ['?']);
  }
  return shapes;
}
