// Benchmark of the exporter: conversion time of the LeNet model, and onnxruntime-node throughput of our
// exported file beside a hand-built PyTorch-style reference graph of the same network without the contract
// nodes (its input is pre-padded and pre-standardised), measured in the same run with alternating rounds.
// Run: npm run bench:export   (LENET_BENCH_MODEL=DIR to bench another tfjs model directory)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describeForOnnx } from '../src/export/metadata.js';
import { encodeModel } from '../src/export/proto.js';
import { buildReferenceLenet, referenceInput } from '../src/export/reference-lenet.js';
import { layersModelToOnnx } from '../src/export/to-onnx.js';
import { initBackend } from '../src/train/backend.js';
import { head } from '../src/train/dataset.js';
import { readMnist } from '../src/train/idx.js';
import { loadModelDir } from '../src/train/model-io.js';

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Figures of one run of {@link benchExport}. */
export interface ExportBenchResult {
  exportMs: number;
  fileBytes: { ours: number; oursWithoutMetadata: number; reference: number };
  nodes: { ours: number; reference: number };
  throughput: Array<{ batch: number; ours: number; reference: number; ratio: number }>;
}

/** Images per second of `session` on `input`, one round of `runs` calls. */
async function round(session: ort.InferenceSession, feeds: Record<string, ort.Tensor>, runs: number, batch: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  return (runs * batch) / ((performance.now() - t0) / 1000);
}

/** Run the benchmark and print a table; returns the figures. */
export async function benchExport(log: (l: string) => void = console.log): Promise<ExportBenchResult> {
  const dir = process.env.LENET_BENCH_MODEL ?? 'models/lenet5';
  if (!existsSync(path.join(dir, 'model.json'))) throw new Error(`bench:export needs a trained model in ${dir}; run 'lenet-onnx train' first`);
  await initBackend('auto');
  const model = await loadModelDir(dir);
  const description = describeForOnnx(model.getUserDefinedMetadata() as Record<string, unknown>, dir);
  const convert = () => encodeModel(layersModelToOnnx(model, { metadata: description.metadata, docString: description.docString, inputName: 'image', outputName: 'probabilities' }));
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    convert();
    times.push(performance.now() - t0);
  }
  const ours = convert();
  const proto = layersModelToOnnx(model);
  const reference = encodeModel(buildReferenceLenet(model));
  const result: ExportBenchResult = {
    exportMs: median(times),
    fileBytes: { ours: ours.byteLength, oursWithoutMetadata: encodeModel(proto).byteLength, reference: reference.byteLength },
    nodes: { ours: proto.graph.node.length, reference: buildReferenceLenet(model).graph.node.length },
    throughput: [],
  };
  model.dispose();
  log(`export (convert + encode) of ${dir}: median ${result.exportMs.toFixed(1)} ms over ${times.length} runs`);
  log(`file: ours ${result.fileBytes.ours} bytes (${result.fileBytes.oursWithoutMetadata} without metadata/doc), reference ${result.fileBytes.reference} bytes; nodes ${result.nodes.ours} vs ${result.nodes.reference}`);

  const a = await ort.InferenceSession.create(ours);
  const b = await ort.InferenceSession.create(reference);
  const test = head(await readMnist('test'), 1000);
  const pre = referenceInput(test.x, 1000, 0.1307, 0.3081);
  const rounds = 9;
  for (const batch of [1, 64, 1000]) {
    const runs = Math.max(3, Math.round(4000 / batch ** 0.85));
    const fa = { image: new ort.Tensor('float32', test.x.subarray(0, batch * 784), [batch, 1, 28, 28]) };
    const fb = { input: new ort.Tensor('float32', pre.subarray(0, batch * 1024), [batch, 1, 32, 32]) };
    await round(a, fa, Math.ceil(runs / 4), batch); // warm-up
    await round(b, fb, Math.ceil(runs / 4), batch);
    const ra: number[] = [], rb: number[] = [];
    for (let r = 0; r < rounds; r++) {
      // Alternate which graph goes first so drift on a shared machine hits both alike.
      if (r % 2 === 0) { ra.push(await round(a, fa, runs, batch)); rb.push(await round(b, fb, runs, batch)); }
      else { rb.push(await round(b, fb, runs, batch)); ra.push(await round(a, fa, runs, batch)); }
    }
    const row = { batch, ours: median(ra), reference: median(rb), ratio: median(ra) / median(rb) };
    result.throughput.push(row);
    log(`batch ${String(batch).padStart(4)}: ours ${row.ours.toFixed(0).padStart(7)} img/s, reference ${row.reference.toFixed(0).padStart(7)} img/s, ratio ${row.ratio.toFixed(3)} (median of ${rounds} rounds of ${runs} runs)`);
  }
  await a.release();
  await b.release();
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchExport();
}
