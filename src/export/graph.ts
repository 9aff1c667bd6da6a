import { floatTensor, int64Tensor, type AttributeProto, type NodeProto, type TensorProto } from '../onnx/encode.js';

/**
 * Collects the nodes and initializers of the graph being written. Names are taken as given and must be
 * unique; converters derive them from the tfjs layer name, which tfjs already keeps unique.
 */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly names = new Set<string>();

  private claim(name: string): string {
    if (this.names.has(name)) throw new Error(`internal: ONNX name '${name}' used twice`);
    this.names.add(name);
    return name;
  }

  /** Mark a name as taken (graph inputs). */
  reserve(name: string): void {
    this.claim(name);
  }

  /** Add a float32 constant; returns its name. */
  addFloat(name: string, dims: number[], values: Float32Array): string {
    this.initializers.push(floatTensor(this.claim(name), dims, values));
    return name;
  }

  /** Add an int64 constant (shapes, pads); returns its name. */
  addInt64(name: string, dims: number[], values: number[]): string {
    this.initializers.push(int64Tensor(this.claim(name), dims, values));
    return name;
  }

  /** Add a node with one output named `output`; returns the output name. */
  addNode(opType: string, inputs: string[], output: string, attributes: AttributeProto[] = []): string {
    this.claim(output);
    this.nodes.push({ name: output, opType, input: inputs, output: [output], attribute: attributes });
    return output;
  }

  /**
   * Give a node output a new name (the graph output must carry the public name). Returns false when no
   * node produces `from` (it is a graph input or constant), so the caller adds an Identity instead.
   */
  renameOutput(from: string, to: string): boolean {
    const producer = this.nodes.find((n) => n.output.includes(from));
    if (!producer) return false;
    this.claim(to);
    this.names.delete(from);
    producer.output = producer.output.map((o) => (o === from ? to : o));
    if (producer.name === from) producer.name = to;
    for (const n of this.nodes) n.input = n.input.map((i) => (i === from ? to : i));
    return true;
  }
}
