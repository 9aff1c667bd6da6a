import { floatTensor, int64Tensor, type AttributeProto, type NodeProto, type TensorProto } from '../onnx/encode.js';

/**
 * Collects the nodes and initializers of the graph being written. Converters describe what they add with
 * a label derived from the tfjs layer name (`conv1/Conv`, `conv1/kernel`), which tfjs keeps unique. A
 * node keeps its label as its name, which is what Netron and `inspect` show; the tensors themselves get
 * short numbers, since each tensor name is repeated wherever it is read and long ones would outweigh a
 * small model's weights. The public graph input and output keep the names they are given.
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly labels = new Set<string>();
  private readonly tensors = new Set<string>();
  private next = 0;

  private claim(label: string): void {
    if (this.labels.has(label)) throw new Error(`internal: ONNX label '${label}' used twice`);
    this.labels.add(label);
  }

  /** The next unused tensor number (skipping public names that happen to be numbers). */
  private tensorName(): string {
    let name = String(this.next++);
    while (this.tensors.has(name)) name = String(this.next++);
    this.tensors.add(name);
    return name;
  }

  /** Keep a public tensor name (the graph input) as given. */
  reserve(name: string): void {
    if (this.tensors.has(name)) throw new Error(`internal: ONNX tensor name '${name}' used twice`);
    this.tensors.add(name);
  }

  /** Add a constant described by `label`; returns its tensor name. */
  addInitializer(label: string, tensor: Omit<TensorProto, 'name'>): string {
    this.claim(label);
    const name = this.tensorName();
    this.initializers.push({ ...tensor, name });
    return name;
  }

  /** Add a float32 constant; returns its tensor name. */
  addFloat(label: string, dims: number[], values: Float32Array): string {
    return this.addInitializer(label, floatTensor('', dims, values));
  }

  /** Add an int64 constant (shapes, pads); returns its tensor name. */
  addInt64(label: string, dims: number[], values: number[]): string {
    return this.addInitializer(label, int64Tensor('', dims, values));
  }

  /** Add a node named `label` with one output; returns the output's tensor name. */
  addNode(opType: string, inputs: string[], label: string, attributes: AttributeProto[] = []): string {
    this.claim(label);
    const output = this.tensorName();
    this.nodes.push({ name: label, opType, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  /**
   * Give a node output the public name `to` (the graph output), and its node the same name. Returns false
   * when no node produces `from` (it is a graph input or constant), so the caller adds an Identity first.
   */
  renameOutput(from: string, to: string): boolean {
    const producer = this.nodes.find((n) => n.output.includes(from));
    if (!producer) return false;
    this.reserve(to);
    this.tensors.delete(from);
    producer.output = producer.output.map((o) => (o === from ? to : o));
    producer.name = to;
    for (const n of this.nodes) n.input = n.input.map((i) => (i === from ? to : i));
    return true;
  }
}
