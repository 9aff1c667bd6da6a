import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { initBackend } from '../../src/train/backend.js';
import { encodeModel } from '../../src/onnx/encode.js';
import { layersModelToOnnx } from '../../src/export/to-onnx.js';
import { quantizeGraphWeights } from '../../src/export/quantize.js';
import { lcg } from './helpers/equivalence.js';
import { mobilenetV2Like, smallResNet, teachableMachineLike, uNetLike } from './helpers/zoo.js';
import { relativeDiff } from '../helpers/close.js';

before(async () => {
  await initBackend('wasm');
  ortWeb.env.wasm.numThreads = 1;
});

// onnxruntime-web's wasm build (the widget's runtime), hosted by Node: the exported files load and compute
// what onnxruntime-node computes from them.
for (const [name, make] of [
  ['Teachable-Machine-shaped (96x96)', () => teachableMachineLike(96, 'gap')],
  ['MobileNetV2-style', () => mobilenetV2Like()],
  ['small ResNet', () => smallResNet()],
  ['U-Net-style', () => uNetLike()],
] as const) {
  test(`${name}: float and int8 files run in onnxruntime-web as in onnxruntime-node`, async () => {
    const model = make();
    const shape = [2, ...(model.inputs[0].shape.slice(1) as number[])];
    const rand = lcg(3);
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);
    for (const int8 of [false, true]) {
      const proto = layersModelToOnnx(model, { inputLayout: 'nhwc' });
      if (int8) quantizeGraphWeights(proto);
      const bytes = encodeModel(proto);
      const node = await ort.InferenceSession.create(bytes);
      const web = await ortWeb.InferenceSession.create(bytes, { executionProviders: ['wasm'] });
      const a = (await node.run({ [node.inputNames[0]]: new ort.Tensor('float32', data, shape) }))[node.outputNames[0]];
      const b = (await web.run({ [web.inputNames[0]]: new ortWeb.Tensor('float32', data, shape) }))[web.outputNames[0]];
      assert.deepEqual(b.dims, a.dims);
      const rel = relativeDiff(b.data as Float32Array, a.data as Float32Array);
      assert.ok(rel <= 1e-4, `${name}${int8 ? ' int8' : ''}: relative difference ${rel}`);
      await node.release();
      await web.release();
    }
    model.dispose();
  });
}
