// The header reader walks only the fields it reports and skips the rest by length. It must report what a full
// decode of the same bytes with the schema of proto/onnx.proto (protobufjs) reports, on the shipped models and
// on seeded mutations of them; where the full decode refuses bytes the reader may accept them (it does not
// look inside nodes and weights), but whatever it accepts, it reads the same facts from.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { OnnxFormatError, readOnnxInfo, type OnnxModelInfo, type OnnxTensorInfo } from '../../src/onnx/info.js';
import { modelProtoType } from '../../src/onnx/model-type.js';
import { eachField, WireFormatError } from '../../src/onnx/wire.js';
import { mutate, rng } from '../fuzz/mutate.js';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const MODELS = ['lenet5.onnx', 'lenet5.int8.onnx', 'arithmetic.onnx'].map(
  (f) => new Uint8Array(readFileSync(path.join(ROOT, 'models', f))),
);

const num = (v: unknown): number =>
  typeof v === 'object' && v !== null && 'toNumber' in v ? (v as { toNumber(): number }).toNumber() : Number(v ?? 0);

type Decoded = Record<string, any>;

/** The same facts through a full protobufjs decode, or null when it refuses the bytes. */
function fullDecode(bytes: Uint8Array): OnnxModelInfo | null {
  let m: Decoded;
  try {
    m = modelProtoType().toObject(modelProtoType().decode(bytes), { defaults: false });
  } catch {
    return null;
  }
  if (!m.graph || !(num(m.irVersion) >= 1)) return null;
  const tensor = (v: Decoded): OnnxTensorInfo => ({
    name: v.name ?? '',
    elemType: v.type?.tensorType?.elemType ?? 0,
    dims: (v.type?.tensorType?.shape?.dim ?? []).map((d: Decoded) =>
      d.dimParam ? d.dimParam : d.dimValue !== undefined ? num(d.dimValue) : '?',
    ),
  });
  const constants = new Set((m.graph.initializer ?? []).map((t: Decoded) => t.name ?? ''));
  const opset = (m.opsetImport ?? []).find((o: Decoded) => !o.domain || o.domain === 'ai.onnx');
  const metadata: Record<string, string> = {};
  for (const p of m.metadataProps ?? []) if (p.key) metadata[p.key] = p.value ?? '';
  return {
    irVersion: num(m.irVersion),
    opsetVersion: opset ? num(opset.version) : 0,
    producerName: m.producerName ?? '',
    producerVersion: m.producerVersion ?? '',
    docString: m.docString ?? '',
    metadata,
    inputs: (m.graph.input ?? []).map(tensor).filter((v: OnnxTensorInfo) => !constants.has(v.name)),
    outputs: (m.graph.output ?? []).map(tensor),
    nodeCount: (m.graph.node ?? []).length,
  };
}

function headerRead(bytes: Uint8Array): OnnxModelInfo | OnnxFormatError {
  try {
    return readOnnxInfo(bytes);
  } catch (err) {
    if (err instanceof OnnxFormatError) return err;
    throw err;
  }
}

test('the header reader reports what a full decode reports, on the shipped models', () => {
  for (const bytes of MODELS) {
    const full = fullDecode(bytes);
    assert.ok(full, 'the shipped model decodes');
    assert.deepEqual(readOnnxInfo(bytes), full);
  }
});

test('on mutated models, whatever both accept reads the same, and what the header reader refuses is one line', () => {
  const r = rng(20261207);
  let agreed = 0;
  for (let i = 0; i < 600; i++) {
    const { bytes, how } = mutate(MODELS[i % MODELS.length], 'onnx', r);
    const mine = headerRead(bytes);
    if (mine instanceof OnnxFormatError) {
      assert.match(mine.message, /^the data \(\d+ bytes\) is not an ONNX model: [^\n]+$/, how);
      continue;
    }
    const full = fullDecode(bytes);
    if (full === null) continue;
    assert.deepEqual(mine, full, `mutation ${i} (${how})`);
    agreed++;
  }
  assert.ok(agreed > 50, `only ${agreed} mutated models were read by both`);
});

test('wire reader: varints up to 64 bits with their sign, and refusals naming the offset', () => {
  const fields: Array<[number, number, number]> = [];
  // field 1 = 300, field 2 = -1 (ten bytes), field 3 = 2^40
  const bytes = new Uint8Array([
    0x08, 0xac, 0x02, 0x10, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01, 0x18, 0x80, 0x80, 0x80, 0x80,
    0x80, 0x20,
  ]);
  eachField(bytes, (f) => fields.push([f.number, f.wireType, f.varint]));
  assert.deepEqual(fields, [
    [1, 0, 300],
    [2, 0, -1],
    [3, 0, 2 ** 40],
  ]);
  const refused: Array<[Uint8Array, RegExp]> = [
    [new Uint8Array([0x0a, 0x05, 0x61]), /runs past the end of the data \(3 bytes\)/],
    [new Uint8Array([0x08]), /a varint runs past the end of the data at offset 1/],
    [new Uint8Array([0x0b]), /invalid wire type 3 at offset 0/],
    [new Uint8Array([0x00, 0x00]), /field number 0 at offset 0/],
    [new Uint8Array([0x08, ...new Array(10).fill(0xff), 0x01]), /longer than 10 bytes/],
  ];
  for (const [b, why] of refused)
    assert.throws(
      () => eachField(b, () => undefined),
      (e: unknown) => {
        assert.ok(e instanceof WireFormatError);
        assert.match(e.message, why);
        return true;
      },
    );
});
