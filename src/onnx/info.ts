/**
 * Read the header facts of an ONNX file (IR version, opset, producer, metadata, graph inputs/outputs)
 * without an inference runtime, with the schema of proto/onnx.proto.
 *
 * Shared code: no Node and no DOM imports (the browser widget bundles this file). The schema comes from
 * the generated module ./schema.ts (through ./model-type.ts), so nothing is read from disk at run time.
 */
import { modelProtoType } from './model-type.js';

/** A graph input or output: name, ONNX element type (1 = float32) and dimensions (number, or a symbolic name). */
export interface OnnxTensorInfo {
  name: string;
  elemType: number;
  dims: Array<number | string>;
}

/** What {@link readOnnxInfo} reports about a model. */
export interface OnnxModelInfo {
  irVersion: number;
  /** Version of the default (ai.onnx) operator set; 0 when the model imports none. */
  opsetVersion: number;
  producerName: string;
  producerVersion: string;
  docString: string;
  /** `metadata_props` as a map (the lenet-onnx input contract lives here under `contract.` keys). */
  metadata: Record<string, string>;
  inputs: OnnxTensorInfo[];
  outputs: OnnxTensorInfo[];
  nodeCount: number;
}

/** The bytes are not an ONNX model. The message says why in one line. */
export class OnnxFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OnnxFormatError';
  }
}

/** int64 fields decode to numbers or Long objects depending on whether long.js is present. */
function toNumber(v: unknown): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  if (typeof v === 'object' && v !== null && 'toNumber' in v) return (v as { toNumber(): number }).toNumber();
  return Number(v);
}

interface DecodedValueInfo {
  name?: string;
  type?: { tensorType?: { elemType?: number; shape?: { dim?: Array<{ dimValue?: unknown; dimParam?: string }> } } };
}

interface DecodedModel {
  irVersion?: unknown;
  opsetImport?: Array<{ domain?: string; version?: unknown }>;
  producerName?: string;
  producerVersion?: string;
  docString?: string;
  metadataProps?: Array<{ key?: string; value?: string }>;
  graph?: {
    node?: unknown[];
    input?: DecodedValueInfo[];
    output?: DecodedValueInfo[];
    initializer?: Array<{ name?: string }>;
  };
}

function tensorInfo(v: DecodedValueInfo): OnnxTensorInfo {
  const t = v.type?.tensorType;
  const dims = (t?.shape?.dim ?? []).map((d): number | string => {
    if (d.dimParam !== undefined && d.dimParam !== null && d.dimParam !== '') return d.dimParam;
    if (d.dimValue !== undefined && d.dimValue !== null) return toNumber(d.dimValue);
    return '?';
  });
  return { name: v.name ?? '', elemType: t?.elemType ?? 0, dims };
}

/**
 * Decode ONNX bytes.
 * @throws OnnxFormatError ('... is not an ONNX model ...') for anything that is not a ModelProto with a graph.
 */
export function readOnnxInfo(bytes: Uint8Array): OnnxModelInfo {
  const fail = (why: string): never => {
    throw new OnnxFormatError(`the data (${bytes.byteLength} bytes) is not an ONNX model: ${why}`);
  };
  if (bytes.byteLength === 0) fail('it is empty');
  let m: DecodedModel;
  try {
    m = modelProtoType().decode(bytes) as unknown as DecodedModel;
  } catch (err) {
    // protobufjs errors (wire type, index out of range) mean nothing to a user: say what it is instead.
    return fail(`it does not parse as an ONNX ModelProto (${(err as Error).message.split('\n')[0]})`);
  }
  const irVersion = toNumber(m.irVersion);
  if (!m.graph) fail('it has no graph');
  if (!(irVersion >= 1)) fail('it has no IR version');
  const graph = m.graph!;
  // Initializers may also be listed as graph inputs (IR < 4 style); they are constants, not inputs.
  const constants = new Set((graph.initializer ?? []).map((t) => t.name));
  const defaultOpset = (m.opsetImport ?? []).find((o) => !o.domain || o.domain === 'ai.onnx');
  const metadata: Record<string, string> = {};
  for (const p of m.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    irVersion,
    opsetVersion: defaultOpset ? toNumber(defaultOpset.version) : 0,
    producerName: m.producerName ?? '',
    producerVersion: m.producerVersion ?? '',
    docString: m.docString ?? '',
    metadata,
    inputs: (graph.input ?? []).filter((v) => !constants.has(v.name)).map(tensorInfo),
    outputs: (graph.output ?? []).map(tensorInfo),
    nodeCount: (graph.node ?? []).length,
  };
}
