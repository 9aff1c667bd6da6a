// Benchmark of the exporter on tfjs image models other than LeNet (`npm run bench:export -- models`, or
// LENET_BENCH_EXPORT=models): for a Teachable-Machine-shaped MobileNet v1 0.25 at 224x224 and a 4-million-
// parameter MobileNet v1 1.0 model, the conversion time (median of rounds) and the memory the conversion
// adds at its peak (in a child process: its peak RSS after loading, then after converting), the file's size
// against the raw weights; then onnxruntime-node against tfjs' own predict on the same models, alternating
// rounds in the same run.
import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { encodeModel } from '../src/onnx/encode.js';
import { layersModelToOnnx } from '../src/export/to-onnx.js';
import { initBackend } from '../src/train/backend.js';
import { loadModelDir, saveModelDir } from '../src/train/models/model-io.js';
import {
  mobilenetV1Trunk,
  mobilenetV2Like,
  randomizeWeights,
  smallResNet,
  teachableMachineLike,
  uNetLike,
} from '../test/export/helpers/zoo.js';
import { median } from './stats.js';

const WORK = path.join('bench', '.work', 'export-models');

/** MobileNet v1 1.0 at 224x224 with a 1024-unit head: about 4.3 million parameters. */
function fourMillion(): tf.LayersModel {
  const trunk = mobilenetV1Trunk(224, 1);
  const model = tf.sequential({
    layers: [
      trunk,
      tf.layers.globalAveragePooling2d({}),
      tf.layers.dense({ units: 1024, activation: 'relu' }),
      tf.layers.dense({ units: 10, activation: 'softmax' }),
    ],
  });
  randomizeWeights(model, 5);
  return model;
}

/** Convert (and encode) the saved model in this process `rounds` times; milliseconds of each. */
async function convertTimes(dir: string, rounds: number): Promise<{ ms: number[]; bytes: number; params: number }> {
  const model = await loadModelDir(dir);
  const ms: number[] = [];
  let bytes = 0;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    bytes = encodeModel(layersModelToOnnx(model, { inputLayout: 'nhwc' })).byteLength;
    ms.push(performance.now() - t0);
  }
  const params = model.countParams();
  model.dispose();
  return { ms, bytes, params };
}

/** Peak RSS (MB) of a child after loading the model, and after converting it once. */
function peakMemory(dir: string): { loadedMB: number; convertedMB: number } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/export-models.ts', '--child-convert', dir], {
    encoding: 'utf8',
  });
  const line = r.stdout.split('\n').find((l) => l.startsWith('peak '));
  if (!line) throw new Error(`child failed: ${r.stderr.slice(-500)}`);
  const [, loaded, converted] = line.split(' ').map(Number);
  return { loadedMB: loaded / 1024, convertedMB: converted / 1024 };
}

/** Images per second of tfjs predict and of onnxruntime-node, alternating `rounds` rounds of `runs` calls. */
async function throughput(model: tf.LayersModel, bytes: Uint8Array, batch: number, rounds: number, runs: number) {
  const shape = [batch, ...(model.inputs[0].shape.slice(1) as number[])];
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, i) => Math.sin(i) * 0.5);
  const session = await ort.InferenceSession.create(bytes);
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', data, shape) };
  const x = tf.tensor(data, shape);
  const tfjs: number[] = [];
  const onnx: number[] = [];
  // One warm-up call each, then alternate.
  tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
  await session.run(feeds);
  for (let r = 0; r < rounds; r++) {
    let t0 = performance.now();
    for (let i = 0; i < runs; i++) tf.tidy(() => (model.predict(x) as tf.Tensor).dataSync());
    tfjs.push((runs * batch * 1000) / (performance.now() - t0));
    t0 = performance.now();
    for (let i = 0; i < runs; i++) await session.run(feeds);
    onnx.push((runs * batch * 1000) / (performance.now() - t0));
  }
  x.dispose();
  await session.release();
  return { tfjs: median(tfjs), onnx: median(onnx) };
}

/** Run the whole bench and print its figures. */
export async function benchExportModels(): Promise<void> {
  await initBackend('auto');
  mkdirSync(WORK, { recursive: true });
  const models: Array<[string, () => tf.LayersModel]> = [
    ['tm-mobilenet-v1-0.25-224', () => teachableMachineLike(224, 'gap')],
    ['mobilenet-v1-1.0-224-4M', fourMillion],
    ['mobilenet-v2-style-32', () => mobilenetV2Like()],
    ['resnet-small-32', () => smallResNet()],
    ['unet-32', () => uNetLike()],
  ];
  console.log(`tfjs backend ${tf.getBackend()}; onnxruntime-node ${ort.env.versions?.node ?? ''}`);
  for (const [name, make] of models) {
    const dir = path.join(WORK, name);
    const built = make();
    const { bytes: weightBytes } = await saveModelDir(built, dir);
    built.dispose();
    const { ms, bytes, params } = await convertTimes(dir, 5);
    const mem = name.startsWith('tm-') || name.includes('4M') ? peakMemory(dir) : undefined;
    console.log(
      `${name}: ${params.toLocaleString('en-US')} parameters; convert+encode median ${median(ms).toFixed(0)} ms (of ${ms.length}); ` +
        `file ${bytes.toLocaleString('en-US')} bytes = ${((bytes / weightBytes) * 100).toFixed(2)}% of the ${weightBytes.toLocaleString('en-US')} bytes of tfjs weights` +
        (mem
          ? `; peak RSS ${mem.loadedMB.toFixed(0)} MB after loading, ${mem.convertedMB.toFixed(0)} MB after converting (+${(mem.convertedMB - mem.loadedMB).toFixed(0)} MB)`
          : ''),
    );
    const model = await loadModelDir(dir);
    const onnxBytes = encodeModel(layersModelToOnnx(model, { inputLayout: 'nhwc' }));
    const big = name.includes('224');
    for (const batch of big ? [1, 8] : [1, 32]) {
      const t = await throughput(model, onnxBytes, batch, 5, big ? 3 : 10);
      console.log(
        `  batch ${batch}: tfjs predict ${t.tfjs.toFixed(1)} img/s, onnxruntime-node ${t.onnx.toFixed(1)} img/s, ratio ${(t.onnx / t.tfjs).toFixed(2)} (median of 5 alternating rounds)`,
      );
    }
    model.dispose();
  }
}

if (process.argv[2] === '--child-convert') {
  await initBackend('cpu');
  const model = await loadModelDir(process.argv[3]);
  const loaded = process.resourceUsage().maxRSS;
  encodeModel(layersModelToOnnx(model, { inputLayout: 'nhwc' }));
  console.log(`peak ${loaded} ${process.resourceUsage().maxRSS}`);
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await benchExportModels();
}
