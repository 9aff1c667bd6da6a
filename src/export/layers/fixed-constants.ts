import type { GraphBuilder } from '../graph.js';
import { attr, DataType } from '../../onnx/encode.js';

/** ONNX TensorProto.DataType codes of the small integer constants written here. */
const UINT8 = 2;
const INT8 = 3;

/**
 * Store a fixed, integer-valued constant (a 0/1 placement, a +/-1 bitmap) as an INT8/UINT8 initializer
 * followed by a Cast to float (`name` labels both). The file then holds as float initializers only what the network learned,
 * so `inspect` counts exactly its parameters; the Cast reads only constants, so onnxruntime folds it when
 * the session is created. Returns the name of the float tensor.
 */
export function addIntegerConstantAsFloat(
  graph: GraphBuilder,
  name: string,
  dims: number[],
  values: Int8Array | Uint8Array,
): string {
  const constant = graph.addInitializer(name, {
    dims,
    dataType: values instanceof Int8Array ? INT8 : UINT8,
    rawData: new Uint8Array(values.buffer, values.byteOffset, values.byteLength),
  });
  return graph.addNode('Cast', [constant], `${name}/Cast`, [attr.int('to', DataType.FLOAT)]);
}
