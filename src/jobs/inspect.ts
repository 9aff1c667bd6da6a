/**
 * `inspect`: a model summary of an ONNX file or a tfjs model. The ONNX side reads the file with the project's
 * own schema and needs no training package; the tfjs side (inspect-tfjs.ts) is loaded only for a tfjs model, so
 * an install without TensorFlow.js inspects .onnx files all the same.
 */
import { promises as fs } from 'node:fs';
import { UserError } from '../errors.js';
import { DataType, decodeModel } from '../onnx/encode.js';
import { OnnxFormatError } from '../onnx/info.js';
import { readQuantizedWeights, type QuantizedWeightInfo } from '../onnx/quantized-weights.js';
import { inferShapes, type Dim } from '../export/shape-infer.js';
import type { InspectReport, InspectRow } from './inspect-report.js';

export type { InspectReport, InspectRow };
import { readOnnxFile } from '../runtime/node/model-file.js';

/**
 * Summarise an ONNX file. Parameters are the elements of the float initializers a node reads, scalars
 * excepted: those are constants of the graph (the contract's mean and std), not learned weights; a
 * DequantizeLinear counts the elements of its quantized data (a learned weight, stored smaller), not its
 * scales and zero points.
 */
export async function inspectOnnx(file: string): Promise<InspectReport> {
  const { bytes, info } = await readOnnxFile(file);
  let model: ReturnType<typeof decodeModel>;
  try {
    model = decodeModel(bytes);
  } catch (err) {
    if (!(err instanceof OnnxFormatError)) throw err;
    throw new UserError(`ONNX file '${file}': ${err.message}; give an .onnx file written by 'lenet-onnx export'`);
  }
  const shapes = inferShapes(model);
  const params = new Map(
    model.graph.initializer
      .filter((t) => t.dataType === DataType.FLOAT && t.dims.length > 0)
      .map((t) => [t.name, t.dims.map(Number).reduce((a, b) => a * b, 1)]),
  );
  const elements = new Map(model.graph.initializer.map((t) => [t.name, t.dims.map(Number).reduce((a, b) => a * b, 1)]));
  const rows = model.graph.node.map((n) => ({
    name: n.name || n.output[0],
    kind: n.opType,
    outputShape: shapes.get(n.output[0]) ?? ['?'],
    params:
      n.opType === 'DequantizeLinear'
        ? (elements.get(n.input[0]) ?? 0)
        : n.input.reduce((s, i) => s + (params.get(i) ?? 0), 0),
  }));
  const weights = readQuantizedWeights(model);
  const sum = (f: (w: QuantizedWeightInfo) => number) => weights.reduce((s, w) => s + f(w), 0);
  const quantized =
    weights.length === 0
      ? undefined
      : {
          weights,
          bytes: sum((w) => w.bytes),
          floatBytes: sum((w) => w.floatBytes),
          overheadBytes: sum((w) => w.overheadBytes),
          savedBytes: sum((w) => w.floatBytes - w.bytes - w.overheadBytes),
        };
  return {
    file,
    format: 'onnx',
    fileBytes: bytes.byteLength,
    irVersion: info.irVersion,
    opset: info.opsetVersion,
    producer: `${info.producerName} ${info.producerVersion}`.trim(),
    inputs: info.inputs.map((t) => ({ name: t.name, shape: t.dims })),
    outputs: info.outputs.map((t) => ({ name: t.name, shape: t.dims })),
    rows,
    totals: { rows: rows.length, params: rows.reduce((s, r) => s + r.params, 0) },
    metadata: info.metadata,
    docString: info.docString,
    ...(quantized ? { quantized } : {}),
  };
}

/**
 * Summarise FILE: a tfjs model directory or `.json` file, otherwise an ONNX file.
 * @throws UserError for a missing file or one that is neither.
 */
export async function inspectFile(file: string): Promise<InspectReport> {
  const stat = await fs.stat(file).catch(() => undefined);
  if (!stat) throw new UserError(`'${file}' not found; expected an .onnx file, a model.json or a model directory`);
  if (stat.isDirectory() || file.endsWith('.json'))
    return (await import('./inspect-tfjs.js')).inspectTfjsPath(file, stat);
  return inspectOnnx(file);
}

const dims = (d: Dim[]) => `[${d.join(', ')}]`;

/** The report as a fixed-width table with its header facts. */
export function formatInspect(r: InspectReport): string {
  const tfjs = r.format !== 'onnx';
  const head = [
    '#',
    tfjs ? 'layer' : 'node',
    tfjs ? 'class' : 'op',
    'output shape',
    'params',
    ...(tfjs ? ['to ONNX'] : []),
  ];
  const body = r.rows.map((row, i) => [
    String(i + 1),
    row.name,
    row.kind,
    dims(row.outputShape),
    row.params.toLocaleString('en-US'),
    ...(tfjs ? [`${row.converts ?? ''}${row.convertNote ? `: ${row.convertNote}` : ''}`] : []),
  ]);
  const widths = head.map((h, c) => Math.max(h.length, ...body.map((b) => b[c].length)));
  const line = (cells: string[]) =>
    cells
      .map((x, c) => (c === 0 || c === 4 ? x.padStart(widths[c]) : x.padEnd(widths[c])))
      .join('  ')
      .trimEnd();
  const out = [
    `${r.file} (${r.format === 'onnx' ? 'ONNX' : 'tfjs LayersModel'}, ${r.fileBytes.toLocaleString('en-US')} bytes)`,
  ];
  if (r.format === 'onnx') out.push(`IR version ${r.irVersion}, opset ${r.opset}, producer ${r.producer || '(none)'}`);
  for (const t of r.inputs) out.push(`input  ${t.name} ${dims(t.shape)}`);
  for (const t of r.outputs) out.push(`output ${t.name} ${dims(t.shape)}`);
  out.push('', line(head), line(widths.map((w) => '-'.repeat(w))), ...body.map(line));
  out.push(
    `total: ${r.totals.rows} ${r.format === 'onnx' ? 'nodes' : 'layers'}, ${r.totals.params.toLocaleString('en-US')} parameters`,
  );
  if (tfjs) {
    const refused = r.rows.filter((row) => row.converts === 'no');
    out.push(
      refused.length === 0
        ? 'export: every layer converts'
        : `export: ${refused.length} layer(s) do not convert: ${refused.map((row) => `${row.name} (${row.kind})`).join(', ')}`,
    );
  }
  if (r.quantized) {
    const q = r.quantized;
    const fmt = (x: number) => x.toExponential(3);
    const qrows = q.weights.map((w) => {
      const lo = Math.min(...w.scales),
        hi = Math.max(...w.scales);
      const zp = w.zeroPoints.every((z) => z === 0)
        ? 'zero points 0'
        : `zero points ${Math.min(...w.zeroPoints)}..${Math.max(...w.zeroPoints)}`;
      return [
        w.name,
        dims(w.dims),
        w.axis < 0 ? 'per tensor' : `axis ${w.axis}`,
        `${w.scales.length} scale${w.scales.length === 1 ? '' : 's'} ${fmt(lo)}..${fmt(hi)}`,
        zp,
        `${w.bytes.toLocaleString('en-US')} bytes (float32 ${w.floatBytes.toLocaleString('en-US')})`,
      ];
    });
    const qw = qrows[0].map((_, c) => Math.max(...qrows.map((row) => row[c].length)));
    out.push(
      '',
      'quantized initializers (int8 behind DequantizeLinear):',
      ...qrows.map(
        (row) =>
          '  ' +
          row
            .map((x, c) => x.padEnd(qw[c]))
            .join('  ')
            .trimEnd(),
      ),
    );
    out.push(
      `size: ${q.bytes.toLocaleString('en-US')} bytes of int8 weights + ${q.overheadBytes.toLocaleString('en-US')} of scales and zero points, ` +
        `against ${q.floatBytes.toLocaleString('en-US')} as float32: ${q.savedBytes.toLocaleString('en-US')} bytes saved`,
    );
  }
  const keys = Object.keys(r.metadata).sort();
  if (keys.length) out.push('', 'metadata:', ...keys.map((k) => `  ${k} = ${r.metadata[k]}`));
  if (r.docString) out.push('', 'doc_string:', ...r.docString.split('\n').map((l) => `  ${l}`));
  return out.join('\n');
}
