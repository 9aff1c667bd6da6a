import { int64Values, type ModelProto, type NodeProto } from './proto.js';

/** A dimension: a size, a symbolic name (the batch), or '?' when unknown. */
export type Dim = number | string;

const SAME_SHAPE = new Set(['Relu', 'Tanh', 'Sigmoid', 'Elu', 'Selu', 'Softplus', 'Softsign', 'HardSigmoid', 'Softmax', 'Identity',
  'Clip', 'BatchNormalization', 'Sub', 'Div', 'Add', 'Mul', 'Dropout', 'LeakyRelu']);

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

function windowed(x: Dim[], node: NodeProto, channels: Dim): Dim[] {
  const k = ints(node, 'kernel_shape') ?? [];
  const s = ints(node, 'strides') ?? k.map(() => 1);
  const d = ints(node, 'dilations') ?? k.map(() => 1);
  const p = ints(node, 'pads') ?? [...k, ...k].map(() => 0);
  const spatial = x.slice(2).map((n, i) => (typeof n === 'number'
    ? Math.floor((n + p[i] + p[i + k.length] - ((k[i] - 1) * d[i] + 1)) / s[i]) + 1 : '?'));
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
    shapes.set(v.name, (v.type?.tensorType?.shape?.dim ?? []).map((d) => (d.dimParam ? d.dimParam : Number(d.dimValue ?? 0))));
  }
  for (const node of model.graph.node) {
    const x = shapes.get(node.input[0]);
    let out: Dim[] | undefined;
    if (x) {
      switch (node.opType) {
        case 'Conv': out = windowed(x, node, shapes.get(node.input[1])?.[0] ?? '?'); break;
        case 'MaxPool': case 'AveragePool': out = windowed(x, node, x[1]); break;
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
          out = [...x.slice(0, -1), b ? b[b.length - 1] : '?'];
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
      }
    }
    for (const o of node.output) shapes.set(o, out ?? ['?']);
  }
  return shapes;
}
