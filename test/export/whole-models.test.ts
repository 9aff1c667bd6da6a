import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { before, describe, test } from 'node:test';
import type * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/train/backend.js';
import { saveModelDir } from '../../src/train/models/model-io.js';
import { exportModelDir } from '../../src/jobs/export.js';
import { decodeModel } from '../../src/onnx/encode.js';
import { readOnnxInfo } from '../../src/onnx/info.js';
import { inferShapes } from '../../src/export/shape-infer.js';
import { checkOnnxFiles, hasPythonOnnx } from './helpers/system.js';
import { mobilenetV2Like, smallResNet, teachableMachineLike, uNetLike } from './helpers/zoo.js';

const dir = mkdtempSync(path.join(tmpdir(), 'lenet-whole-models-'));

before(async () => {
  await initBackend('wasm');
});

/** Save `model` as tfjs saves it, export it through the export job, and return what the file holds. */
async function exportSaved(
  name: string,
  model: tf.LayersModel | string,
  extra: { verifySamples?: number; quantize?: 'int8'; parityData?: string } = {},
) {
  const modelDir = typeof model === 'string' ? model : path.join(dir, name);
  let weightBytes = 0;
  if (typeof model !== 'string') {
    weightBytes = (await saveModelDir(model, modelDir)).bytes;
    model.dispose();
  }
  const out = path.join(dir, `${name}.onnx`);
  const lines: string[] = [];
  const r = await exportModelDir(
    {
      modelDir,
      out,
      opset: 13,
      verify: true,
      atol: 1e-5,
      verifySamples: extra.verifySamples ?? 4,
      quantize: extra.quantize,
      parityData: extra.parityData,
    },
    (l) => lines.push(l),
  );
  const bytes = readFileSync(out);
  const proto = decodeModel(bytes);
  if (hasPythonOnnx()) checkOnnxFiles([out]);
  const info = readOnnxInfo(bytes);
  // inspect's shape inference follows every op of the file to the declared output shape.
  assert.deepEqual(inferShapes(proto).get(info.outputs[0].name), info.outputs[0].dims);
  return { r, lines, proto, info, weightBytes, out };
}

const count = (proto: ReturnType<typeof decodeModel>, op: string) =>
  proto.graph.node.filter((n) => n.opType === op).length;

describe('whole models, saved as tfjs saves them, through the export job', () => {
  test('Teachable-Machine-shaped: MobileNet v1 0.25 at 224x224 nested in a Sequential, GAP head', async () => {
    const { r, proto, info, weightBytes, lines } = await exportSaved('tm-gap-224', teachableMachineLike(224, 'gap'));
    assert.ok(r.parity?.ok, lines.join('\n'));
    assert.ok(r.parity!.relative, 'a relative tolerance for a model without the digit contract');
    assert.equal(count(proto, 'Transpose'), 1);
    assert.equal(count(proto, 'BatchNormalization'), 0, 'every BatchNormalization folded');
    assert.deepEqual(info.inputs[0].dims, ['N', 224, 224, 3]);
    assert.deepEqual(info.outputs[0].dims, ['N', 3]);
    assert.equal(info.metadata['export.input_layout'], 'NHWC');
    // The file is the weights and little else (BatchNormalization folded away: fewer floats than tfjs saves).
    assert.ok(r.bytes <= weightBytes * 1.02, `${r.bytes} bytes for ${weightBytes} bytes of weights`);
  });
  test('Teachable-Machine-shaped with a Flatten head (rows permuted, no second Transpose); verify agrees', async () => {
    const { r, proto, lines, out } = await exportSaved('tm-flatten-96', teachableMachineLike(96, 'flatten'));
    assert.ok(r.parity?.ok, lines.join('\n'));
    assert.equal(count(proto, 'Transpose'), 1);
    const { verifyOnnxFile } = await import('../../src/jobs/verify.js');
    const report = await verifyOnnxFile(
      { onnx: out, against: path.join(dir, 'tm-flatten-96'), samples: 3, atol: 1e-5 },
      () => {},
    );
    assert.ok(report.ok && report.relative && report.samples === 3);
  });
  test('MobileNetV2-style with inverted residual Adds, float and int8 (depthwise per channel too)', async () => {
    const { r, proto, lines } = await exportSaved('mobilenet-v2', mobilenetV2Like());
    assert.ok(r.parity?.ok, lines.join('\n'));
    assert.equal(count(proto, 'Add'), 3);
    assert.equal(count(proto, 'Transpose'), 1);
    const q = await exportSaved('mobilenet-v2.int8', path.join(dir, 'mobilenet-v2'), { quantize: 'int8' });
    assert.ok(q.r.parity?.ok, q.lines.join('\n'));
    assert.match(q.lines.join('\n'), /gate did not run/);
    const convs = q.proto.graph.node.filter((n) => n.opType === 'Conv');
    const dequantized = new Set(
      q.proto.graph.node.filter((n) => n.opType === 'DequantizeLinear').map((n) => n.output[0]),
    );
    assert.ok(
      convs.every((n) => dequantized.has(n.input[1])),
      'every Conv weight int8',
    );
    assert.ok(
      convs.some((n) => n.attribute.some((a) => a.name === 'group')),
      'depthwise among them',
    );
    assert.ok(q.r.bytes < r.bytes * 0.4, `int8 ${q.r.bytes} bytes against float ${r.bytes}`);
  });
  test('small ResNet with projection shortcuts', async () => {
    const { r, proto, lines } = await exportSaved('resnet', smallResNet());
    assert.ok(r.parity?.ok, lines.join('\n'));
    assert.equal(count(proto, 'Transpose'), 1);
    assert.equal(count(proto, 'BatchNormalization'), 0);
  });
  test('U-Net-style with Concatenate, UpSampling2D and Conv2DTranspose (an NCHW map out)', async () => {
    const { r, proto, info, lines } = await exportSaved('unet', uNetLike());
    assert.ok(r.parity?.ok, lines.join('\n'));
    assert.equal(count(proto, 'Concat'), 2);
    assert.equal(count(proto, 'Transpose'), 1);
    assert.deepEqual(info.outputs[0].dims, ['N', 2, 32, 32]);
    assert.equal(info.metadata['export.output_layout'], 'NCHW');
  });
});

test('inspect lists every layer of a nested model and whether it converts', async () => {
  const { inspectFile, formatInspect } = await import('../../src/jobs/inspect.js');
  const report = await inspectFile(path.join(dir, 'tm-flatten-96'));
  const text = formatInspect(report);
  assert.match(text, /sequential_2\/dense_Dense1 +Dense .* yes: Gemm/);
  assert.match(text, /conv_pw_13_bn +BatchNormalization .* folded: into conv_pw_13/);
  assert.match(text, /export: every layer converts/);
  const rows = report.rows.filter((row) => row.converts !== 'nested');
  assert.ok(rows.length > 80 && rows.every((row) => row.converts === 'yes' || row.converts === 'folded'));
});

test('--parity-data: pictures of any size, resized to the input, drive the parity check', async () => {
  const sharp = (await import('sharp')).default;
  const pictures = path.join(dir, 'pictures');
  mkdirSync(pictures, { recursive: true });
  for (const [i, [w, h]] of [
    [40, 30],
    [64, 64],
    [17, 50],
  ].entries()) {
    const raw = Buffer.from(Array.from({ length: w * h * 3 }, (_, j) => (j * 37 + i * 11) % 256));
    await sharp(raw, { raw: { width: w, height: h, channels: 3 } })
      .png()
      .toFile(path.join(pictures, `p${i}.png`));
  }
  const { r, lines } = await exportSaved('resnet-pictures', path.join(dir, 'resnet'), {
    parityData: pictures,
    verifySamples: 10,
  });
  assert.ok(r.parity?.ok, lines.join('\n'));
  assert.equal(r.parity!.samples, 3);
});

test('serve: every whole model over the Open Inference Protocol, its real shapes, answers equal to onnxruntime', async () => {
  const ort = await import('onnxruntime-node');
  const { SERVE_DEFAULTS, startServe } = await import('../../src/jobs/serve.js');
  const names = ['tm-gap-224', 'mobilenet-v2', 'resnet', 'unet'];
  const files = names.map((n) => path.join(dir, `${n}.onnx`));
  const srv = await startServe({ ...SERVE_DEFAULTS, port: 0, web: false, models: files });
  try {
    for (const [i, name] of names.entries()) {
      const info = readOnnxInfo(readFileSync(files[i]));
      const meta = (await (await fetch(`${srv.url}v2/models/${name}`)).json()) as {
        inputs: Array<{ name: string; shape: number[] }>;
        outputs: Array<{ name: string; shape: number[] }>;
      };
      const asProtocol = (dims: Array<number | string>) => dims.map((d) => (typeof d === 'number' ? d : -1));
      assert.deepEqual(meta.inputs[0].shape, asProtocol(info.inputs[0].dims), name);
      assert.deepEqual(meta.outputs[0].shape, asProtocol(info.outputs[0].dims), name);
      const shape = [2, ...(info.inputs[0].dims.slice(1) as number[])];
      const x = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, (_, k) => ((k * 7919) % 1000) / 1000);
      // JSON: a 224x224 picture pair is a body of megabytes, checked in a worker thread
      const r = await fetch(`${srv.url}v2/models/${name}/infer`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          inputs: [{ name: info.inputs[0].name, datatype: 'FP32', shape, data: Array.from(x) }],
        }),
      });
      assert.equal(r.status, 200, `${name}: ${await r.clone().text()}`);
      const out = ((await r.json()) as { outputs: Array<{ shape: number[]; data: number[] }> }).outputs[0];
      const s = await ort.InferenceSession.create(files[i]);
      try {
        const want = (await s.run({ [info.inputs[0].name]: new ort.Tensor('float32', x, shape) }))[
          info.outputs[0].name
        ];
        assert.deepEqual(out.shape, want.dims, name);
        assert.deepEqual(out.data, Array.from(want.data as Float32Array), name);
      } finally {
        await s.release();
      }
    }
  } finally {
    await srv.close();
  }
});
