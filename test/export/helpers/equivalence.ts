import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { encodeModel } from '../../../src/onnx/encode.js';
import { OnnxRunner } from '../../../src/export/run-onnx.js';
import { layersModelToOnnx, type OnnxExportOptions } from '../../../src/export/to-onnx.js';
import { compareFloats, type Comparison } from '../../helpers/close.js';

/** A small seeded generator (tests must not depend on Math.random). */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * Give every weight random values so equivalence tests exercise biases, batch-norm statistics and every
 * kernel position (fresh layers have zero biases and unit variances, which would hide layout bugs).
 */
export function randomizeWeights(model: tf.LayersModel, seed: number): void {
  const rand = lcg(seed);
  for (const layer of model.layers) {
    if (layer.weights.length === 0) continue;
    layer.setWeights(
      layer.weights.map((w) => {
        const shape = w.shape as number[];
        const n = shape.reduce((a, b) => a * b, 1);
        const positive = /moving_variance/.test(w.originalName);
        const v = Float32Array.from({ length: n }, () => (positive ? 0.5 + rand() : rand() * 2 - 1));
        return tf.tensor(v, shape);
      }),
    );
  }
}

/** Where the tests write their ONNX files; every one is passed to the official checker at the end. */
export const written: string[] = [];
const dir = mkdtempSync(path.join(tmpdir(), 'lenet-export-test-'));

/** Result of one equivalence run. */
export interface Equivalence {
  file: string;
  proto: ReturnType<typeof layersModelToOnnx>;
  comparison: Comparison;
}

/**
 * Export `model`, write the file, run tfjs and onnxruntime-node on the same random batch and compare
 * every output value (atol OR rtol).
 */
export async function exportAndCompare(
  model: tf.LayersModel,
  name: string,
  batch = 3,
  seed = 7,
  o: OnnxExportOptions = {},
  atol = 1e-5,
  rtol = 1e-5,
): Promise<Equivalence> {
  const proto = layersModelToOnnx(model, o);
  const bytes = encodeModel(proto);
  const file = path.join(dir, `${name}.onnx`);
  writeFileSync(file, bytes);
  written.push(file);
  const sample = model.inputs[0].shape.slice(1) as number[];
  const rand = lcg(seed);
  const shape = [batch, ...sample];
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);
  const expected = tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).dataSync() as Float32Array);
  const runner = await OnnxRunner.create(bytes, o.inputLayout);
  try {
    const actual = (await runner.run({ data, shape })).data;
    return { file, proto, comparison: compareFloats(actual, expected, atol, rtol) };
  } finally {
    await runner.release();
  }
}

/** Makes one fresh layer of a test model. */
export type LayerFactory = () => tf.layers.Layer;

/** Build input -> layers... with seeded random weights. */
export function buildLayers(inputShape: number[], layers: LayerFactory[], weightSeed = 1): tf.LayersModel {
  const input = tf.input({ shape: inputShape, name: 'x' });
  let x: tf.SymbolicTensor = input;
  for (const make of layers) x = make().apply(x) as tf.SymbolicTensor;
  const model = tf.model({ inputs: input, outputs: x });
  randomizeWeights(model, weightSeed);
  return model;
}

/** Build input -> f(input) (a functional graph: branches, merges, nested models) with seeded random weights. */
export function buildGraph(
  inputShape: number[],
  f: (x: tf.SymbolicTensor) => tf.SymbolicTensor,
  weightSeed = 1,
): tf.LayersModel {
  const input = tf.input({ shape: inputShape, name: 'x' });
  const model = tf.model({ inputs: input, outputs: f(input) });
  randomizeWeights(model, weightSeed);
  return model;
}

/** Export a tiny model of `layers` and assert onnxruntime computes what tfjs computes on random inputs. */
export async function expectEquivalent(
  name: string,
  inputShape: number[],
  layers: LayerFactory[],
  batch = 3,
  weightSeed = 1,
): Promise<Equivalence> {
  const model = buildLayers(inputShape, layers, weightSeed);
  const r = await exportAndCompare(model, name, batch);
  assert.ok(r.comparison.ok, `${name}: max |diff| ${r.comparison.maxAbs} at ${r.comparison.worstIndex}`);
  model.dispose();
  return r;
}

/** The op types of an exported graph, in node order. */
export const ops = (r: { proto: { graph: { node: Array<{ opType: string }> } } }): string[] =>
  r.proto.graph.node.map((n) => n.opType);

/**
 * Export `model` and assert onnxruntime computes what tfjs computes on a seeded batch, within `rel` of the
 * output's scale (its largest |value|): the tolerance the issue sets for every layer and whole model.
 */
export async function expectModelEquivalent(
  name: string,
  model: tf.LayersModel,
  o: OnnxExportOptions & { rel?: number; batch?: number } = {},
): Promise<Equivalence> {
  const rel = o.rel ?? 1e-4;
  const sample = model.inputs[0].shape.slice(1) as number[];
  const rand = lcg(11);
  const shape = [o.batch ?? 2, ...sample];
  const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rand() * 2 - 1);
  const scale = tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).abs().max().dataSync()[0]);
  const r = await exportAndCompare(model, name, o.batch ?? 2, 11, o, rel * Math.max(scale, 1e-6), 0);
  assert.ok(
    r.comparison.ok,
    `${name}: max |diff| ${r.comparison.maxAbs} at ${r.comparison.worstIndex}, output scale ${scale}, allowed ${rel * scale}`,
  );
  return r;
}
