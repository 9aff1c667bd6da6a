/**
 * The one protobufjs root of proto/onnx.proto, built on first use from the generated schema, shared by the
 * writer and the reader. Shared code: no Node and no DOM imports.
 */
import protobuf from 'protobufjs/light.js';
import { ONNX_SCHEMA } from './schema.js';

let modelProto: protobuf.Type | undefined;

/** The `onnx.ModelProto` message type. */
export function modelProtoType(): protobuf.Type {
  modelProto ??= protobuf.Root.fromJSON(ONNX_SCHEMA as unknown as protobuf.INamespace).lookupType('onnx.ModelProto');
  return modelProto;
}
