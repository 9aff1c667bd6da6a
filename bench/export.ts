// Benchmark of the exporter: conversion time of the LeNet model, and onnxruntime-node throughput of our
// exported file beside a hand-built PyTorch-style reference graph of the same network without the contract
// nodes (its input is pre-padded and pre-standardised), measured in the same run with alternating rounds.
// Then the int8 file (export --quantize int8) against the float file, alternating in the same run, with
// onnxruntime's default session options and with its DequantizeLinear folding switched on.
// Run: npm run bench:export   (LENET_BENCH_MODEL=DIR to bench another tfjs model directory;
//                              LENET_BENCH_EXPORT=int8 for the int8-vs-float comparison alone;
//                              LENET_BENCH_EXPORT=models or `-- models` for other image models, bench/export-models.ts)
import { existsSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { describeForOnnx } from '../src/export/metadata.js';
import { encodeModel } from '../src/onnx/encode.js';
import { buildReferenceLenet, referenceInput } from '../src/export/reference-lenet.js';
import { layersModelToOnnx } from '../src/export/to-onnx.js';
import { quantizeGraphWeights, roundWeightsThroughInt8 } from '../src/export/quantize.js';
import { initBackend } from '../src/train/backend.js';
import { head } from '../src/train/data/dataset.js';
import { readMnist } from '../src/data/idx.js';
import { loadModelDir } from '../src/train/models/model-io.js';
import { median } from './stats.js';

/** Figures of one run of {@link benchExport}. */
export interface ExportBenchResult {
  exportMs: number;
  fileBytes: { ours: number; oursWithoutMetadata: number; unfolded: number; reference: number };
  nodes: { ours: number; reference: number };
  throughput: Array<{
    clock: 'wall' | 'cpu';
    batch: number;
    ours: number;
    unfolded: number;
    reference: number;
    ratio: number;
    unfoldedRatio: number;
  }>;
  int8: Int8BenchResult;
}

/** The int8 file against the float one: sizes and images per second (as in the table above), ratio int8 / float. */
export interface Int8BenchResult {
  fileBytes: { float: number; int8: number };
  /**
   * `default`: onnxruntime's default session options, under which it keeps DequantizeLinear as a node run
   * on every call (to preserve QDQ units for its quantized kernels), so the weights are no constants for
   * its NCHWc convolution and packed Gemm. `fold-dq`: session config `session.disable_quant_qdq = 1`,
   * which lets constant folding turn the weights back into float initializers at session creation.
   */
  throughput: Array<{
    options: 'default' | 'fold-dq';
    clock: 'wall' | 'cpu';
    batch: number;
    float: number;
    int8: number;
    ratio: number;
  }>;
}

/** Images per second of `session` over one round of `runs` calls, by elapsed time or by process CPU time. */
async function round(
  session: ort.InferenceSession,
  feeds: Record<string, ort.Tensor>,
  runs: number,
  batch: number,
  clock: 'wall' | 'cpu',
): Promise<number> {
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  for (let i = 0; i < runs; i++) await session.run(feeds);
  const c = process.cpuUsage(c0);
  const seconds = clock === 'wall' ? (performance.now() - t0) / 1000 : (c.user + c.system) / 1e6;
  return (runs * batch) / seconds;
}

const rounds = 9;

/** Run the benchmark and print a table; returns the figures. */
export async function benchExport(log: (l: string) => void = console.log): Promise<ExportBenchResult> {
  const dir = process.env.LENET_BENCH_MODEL ?? 'models/lenet5';
  if (!existsSync(path.join(dir, 'model.json')))
    throw new Error(`bench:export needs a trained model in ${dir}; run 'lenet-onnx train' first`);
  await initBackend('auto');
  const model = await loadModelDir(dir);
  const description = describeForOnnx(model.getUserDefinedMetadata() as Record<string, unknown>, dir);
  const convert = () =>
    encodeModel(
      layersModelToOnnx(model, {
        metadata: description.metadata,
        docString: description.docString,
        inputName: 'image',
        outputName: 'probabilities',
      }),
    );
  const times: number[] = [];
  for (let i = 0; i < 21; i++) {
    const t0 = performance.now();
    convert();
    times.push(performance.now() - t0);
  }
  const ours = convert();
  // The default export folds the contract into the first Conv; --no-fold-contract keeps Pad, Sub, Div.
  const unfolded = encodeModel(
    layersModelToOnnx(model, {
      metadata: description.metadata,
      docString: description.docString,
      inputName: 'image',
      outputName: 'probabilities',
      foldContract: false,
    }),
  );
  const proto = layersModelToOnnx(model);
  const reference = encodeModel(buildReferenceLenet(model));
  // Last, because rounding replaces the model's weights.
  roundWeightsThroughInt8(model);
  const int8Proto = layersModelToOnnx(model, {
    metadata: description.metadata,
    docString: description.docString,
    inputName: 'image',
    outputName: 'probabilities',
  });
  quantizeGraphWeights(int8Proto);
  const int8 = encodeModel(int8Proto);
  const result: ExportBenchResult = {
    exportMs: median(times),
    fileBytes: {
      ours: ours.byteLength,
      oursWithoutMetadata: encodeModel(proto).byteLength,
      unfolded: unfolded.byteLength,
      reference: reference.byteLength,
    },
    nodes: { ours: proto.graph.node.length, reference: buildReferenceLenet(model).graph.node.length },
    throughput: [],
    int8: { fileBytes: { float: ours.byteLength, int8: int8.byteLength }, throughput: [] },
  };
  model.dispose();
  const test = head(await readMnist('test'), 1000);
  if (process.env.LENET_BENCH_EXPORT === 'int8') {
    result.int8 = await benchInt8(ours, int8, test.x, log);
    return result;
  }
  log(`export (convert + encode) of ${dir}: median ${result.exportMs.toFixed(1)} ms over ${times.length} runs`);
  log(
    `file: ours ${result.fileBytes.ours} bytes (${result.fileBytes.oursWithoutMetadata} without metadata/doc), --no-fold-contract ${result.fileBytes.unfolded} bytes, reference ${result.fileBytes.reference} bytes; nodes ${result.nodes.ours} vs ${result.nodes.reference}`,
  );

  // The reference graph has no contract nodes: feed it pictures standardised with the model's own contract.
  if (!description.contract) throw new Error(`bench:export: ${dir} carries no input contract in its metadata`);
  const pre = referenceInput(test.x, 1000, description.contract.mean, description.contract.std);
  for (const clock of ['wall', 'cpu'] as const) {
    // 'wall': default session options, images per second of elapsed time. 'cpu': one intra-op thread,
    // images per second of this process's CPU time, which other load on a shared machine disturbs far less.
    const options: ort.InferenceSession.SessionOptions =
      clock === 'cpu' ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : {};
    const [a, f, b] = await Promise.all(
      [ours, unfolded, reference].map((bytes) => ort.InferenceSession.create(bytes, options)),
    );
    for (const batch of [1, 64, 1000]) {
      const runs = Math.max(3, Math.round(4000 / batch ** 0.85));
      const fa = { image: new ort.Tensor('float32', test.x.subarray(0, batch * 784), [batch, 1, 28, 28]) };
      const fb = { input: new ort.Tensor('float32', pre.subarray(0, batch * 1024), [batch, 1, 32, 32]) };
      const contenders: Array<[ort.InferenceSession, Record<string, ort.Tensor>]> = [
        [a, fa],
        [f, fa],
        [b, fb],
      ];
      for (const [s, feeds] of contenders) await round(s, feeds, Math.ceil(runs / 4), batch, clock); // warm-up
      const rates: number[][] = [[], [], []];
      for (let r = 0; r < rounds; r++) {
        // Rotate which graph goes first so drift on a shared machine hits all alike.
        for (let k = 0; k < 3; k++) {
          const i = (r + k) % 3;
          rates[i].push(await round(contenders[i][0], contenders[i][1], runs, batch, clock));
        }
      }
      const [ra, rf, rb] = rates.map(median);
      const row = { clock, batch, ours: ra, unfolded: rf, reference: rb, ratio: ra / rb, unfoldedRatio: rf / rb };
      result.throughput.push(row);
      log(
        `${clock === 'wall' ? 'img/s wall' : 'img/s CPU '} batch ${String(batch).padStart(4)}: ours ${ra.toFixed(0).padStart(7)} (ratio ${row.ratio.toFixed(3)}), ` +
          `--no-fold-contract ${rf.toFixed(0).padStart(7)} (ratio ${row.unfoldedRatio.toFixed(3)}), reference ${rb.toFixed(0).padStart(7)}; median of ${rounds} rounds of ${runs} runs`,
      );
    }
    await Promise.all([a, f, b].map((s) => s.release()));
  }
  result.int8 = await benchInt8(ours, int8, test.x, log);
  return result;
}

/**
 * onnxruntime-node images per second of the int8 and the float file at batch 1, 64 and 1000, in alternating
 * rounds of the same run, under the default session options and with DequantizeLinear folding, by wall clock
 * (default threads) and by process CPU time (one intra-op thread), as the table above.
 */
export async function benchInt8(
  float: Uint8Array,
  int8: Uint8Array,
  images: Float32Array,
  log: (l: string) => void = console.log,
): Promise<Int8BenchResult> {
  const out: Int8BenchResult = { fileBytes: { float: float.byteLength, int8: int8.byteLength }, throughput: [] };
  log(
    `int8 file ${int8.byteLength} bytes, float file ${float.byteLength} bytes (${((int8.byteLength / float.byteLength) * 100).toFixed(1)}%)`,
  );
  for (const [options, clock] of [
    ['default', 'wall'],
    ['fold-dq', 'wall'],
    ['default', 'cpu'],
    ['fold-dq', 'cpu'],
  ] as const) {
    const so: ort.InferenceSession.SessionOptions = {
      ...(clock === 'cpu' ? { intraOpNumThreads: 1, interOpNumThreads: 1 } : {}),
      ...(options === 'fold-dq' ? { extra: { session: { disable_quant_qdq: '1' } } } : {}),
    };
    const sessions = await Promise.all([float, int8].map((bytes) => ort.InferenceSession.create(bytes, so)));
    for (const batch of [1, 64, 1000]) {
      const runs = Math.max(3, Math.round(4000 / batch ** 0.85));
      const feeds = { image: new ort.Tensor('float32', images.subarray(0, batch * 784), [batch, 1, 28, 28]) };
      for (const s of sessions) await round(s, feeds, Math.ceil(runs / 4), batch, clock); // warm-up
      const rates: number[][] = [[], []];
      for (let r = 0; r < rounds; r++) {
        for (let k = 0; k < 2; k++) {
          const i = (r + k) % 2;
          rates[i].push(await round(sessions[i], feeds, runs, batch, clock));
        }
      }
      const [rf, rq] = rates.map(median);
      out.throughput.push({ options, clock, batch, float: rf, int8: rq, ratio: rq / rf });
      log(
        `${clock === 'wall' ? 'img/s wall' : 'img/s CPU '} ${options.padEnd(7)} batch ${String(batch).padStart(4)}: int8 ${rq.toFixed(0).padStart(7)}, float ${rf.toFixed(0).padStart(7)}, ratio ${(rq / rf).toFixed(3)}; median of ${rounds} rounds of ${runs} runs`,
      );
    }
    await Promise.all(sessions.map((s) => s.release()));
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (process.env.LENET_BENCH_EXPORT === 'models' || process.argv.includes('models')) {
    const { benchExportModels } = await import('./export-models.js');
    await benchExportModels();
  } else await benchExport();
}
