import * as tf from '@tensorflow/tfjs';
import { OnnxRunner } from './run-onnx.js';

/** Result of a parity check between a tfjs model and its ONNX file on the same inputs. */
export interface ParityReport {
  samples: number;
  /** Largest |tfjs - onnx| over all outputs of all samples. */
  maxAbsDiff: number;
  /** Sample (image index) and output index of that largest difference. */
  worstSample: number;
  worstOutput: number;
  /** Samples whose argmax agrees, and their fraction. */
  argmaxAgree: number;
  argmaxAgreement: number;
  atol: number;
  /**
   * With a relative tolerance: `rtol`, the output scale (largest |tfjs output|) and the tolerance they
   * make (`atol` is then rtol x scale), and the argmax disagreements forgiven as near ties (samples whose
   * two largest tfjs outputs are within twice the tolerance, where both runtimes' values may cross).
   */
  relative?: { rtol: number; scale: number; nearTies: number };
  /** max |diff| <= atol and every argmax agrees (near ties aside, with a relative tolerance). */
  ok: boolean;
  seconds: { tfjs: number; onnx: number };
  /** Fraction of samples whose argmax is the label, on each side (when labels were given). */
  accuracy?: { tfjs: number; onnx: number };
}

/** Inputs in tfjs layout: `count` samples of `sampleShape` (e.g. [28, 28, 1]) back to back. */
export interface ParityInputs {
  data: Float32Array;
  count: number;
  sampleShape: number[];
  /** The true label of each sample; when given, the report carries both sides' accuracy. */
  labels?: Uint8Array;
}

/**
 * Run the tfjs model and the ONNX bytes on the same inputs in batches and compare every output:
 * max |diff| with where it is, and argmax agreement. A NaN anywhere counts as an infinite difference.
 */
export async function checkParity(
  model: tf.LayersModel,
  onnx: Uint8Array,
  inputs: ParityInputs,
  atol: number,
  batchSize = 1000,
  o: { rtol?: number; inputLayout?: 'nchw' | 'nhwc' } = {},
): Promise<ParityReport> {
  const runner = await OnnxRunner.create(onnx, o.inputLayout);
  let scale = 0;
  const gaps: Array<{ sample: number; gap: number }> = [];
  const per = inputs.sampleShape.reduce((a, b) => a * b, 1);
  let maxAbsDiff = 0,
    worstSample = 0,
    worstOutput = 0,
    argmaxAgree = 0,
    tTf = 0,
    tOrt = 0,
    hitsTf = 0,
    hitsOrt = 0;
  try {
    for (let start = 0; start < inputs.count; start += batchSize) {
      const n = Math.min(batchSize, inputs.count - start);
      const data = inputs.data.subarray(start * per, (start + n) * per);
      const shape = [n, ...inputs.sampleShape];
      let t0 = performance.now();
      const expected = tf.tidy(() => (model.predict(tf.tensor(data, shape)) as tf.Tensor).dataSync() as Float32Array);
      tTf += performance.now() - t0;
      t0 = performance.now();
      const actual = (await runner.run({ data, shape })).data;
      tOrt += performance.now() - t0;
      if (actual.length !== expected.length) {
        throw new Error(`ONNX output has ${actual.length} values for ${n} samples, tfjs ${expected.length}`);
      }
      const width = expected.length / n;
      for (let s = 0; s < n; s++) {
        let ia = 0,
          ie = 0;
        for (let k = 0; k < width; k++) {
          const i = s * width + k;
          const d = Math.abs(actual[i] - expected[i]);
          const dd = Number.isNaN(d) ? Infinity : d;
          if (dd > maxAbsDiff) {
            maxAbsDiff = dd;
            worstSample = start + s;
            worstOutput = k;
          }
          if (actual[i] > actual[s * width + ia]) ia = k;
          if (expected[i] > expected[s * width + ie]) ie = k;
          scale = Math.max(scale, Math.abs(expected[i]));
        }
        if (ia === ie) argmaxAgree++;
        else gaps.push({ sample: start + s, gap: expected[s * width + ie] - expected[s * width + ia] });
        if (inputs.labels) {
          if (ia === inputs.labels[start + s]) hitsOrt++;
          if (ie === inputs.labels[start + s]) hitsTf++;
        }
      }
    }
  } finally {
    await runner.release();
  }
  let tol = atol;
  let relative: ParityReport['relative'];
  if (o.rtol !== undefined) {
    tol = o.rtol * scale;
    relative = { rtol: o.rtol, scale, nearTies: gaps.filter((g) => g.gap <= 2 * tol).length };
  }
  const argmaxOk = argmaxAgree + (relative?.nearTies ?? 0) === inputs.count;
  return {
    samples: inputs.count,
    maxAbsDiff,
    worstSample,
    worstOutput,
    argmaxAgree,
    argmaxAgreement: inputs.count === 0 ? 1 : argmaxAgree / inputs.count,
    atol: tol,
    ...(relative ? { relative } : {}),
    ok: maxAbsDiff <= tol && argmaxOk,
    seconds: { tfjs: tTf / 1000, onnx: tOrt / 1000 },
    ...(inputs.labels && inputs.count > 0
      ? { accuracy: { tfjs: hitsTf / inputs.count, onnx: hitsOrt / inputs.count } }
      : {}),
  };
}

/**
 * Fraction of `inputs` whose tfjs argmax (first of equal maxima) is the label.
 * @throws Error when the inputs carry no labels.
 */
export function tfjsAccuracy(model: tf.LayersModel, inputs: ParityInputs, batchSize = 1000): number {
  const labels = inputs.labels;
  if (!labels) throw new Error('internal: tfjsAccuracy needs labelled inputs');
  const per = inputs.sampleShape.reduce((a, b) => a * b, 1);
  let hits = 0;
  for (let start = 0; start < inputs.count; start += batchSize) {
    const n = Math.min(batchSize, inputs.count - start);
    const predicted = tf.tidy(() =>
      (
        model.predict(
          tf.tensor(inputs.data.subarray(start * per, (start + n) * per), [n, ...inputs.sampleShape]),
        ) as tf.Tensor
      )
        .argMax(-1)
        .dataSync(),
    );
    for (let s = 0; s < n; s++) if (predicted[s] === labels[start + s]) hits++;
  }
  return inputs.count === 0 ? 1 : hits / inputs.count;
}

/** One line for people: the figures of a parity check. */
export function formatParity(r: ParityReport): string {
  return (
    `parity on ${r.samples} images: max |diff| ${r.maxAbsDiff.toExponential(3)} (image ${r.worstSample}, output ${r.worstOutput}; ` +
    (r.relative
      ? `tolerance ${r.atol.toExponential(3)} = rtol ${r.relative.rtol} x output scale ${r.relative.scale.toPrecision(4)}), `
      : `atol ${r.atol}), `) +
    `argmax agreement ${r.argmaxAgree}/${r.samples} (${(r.argmaxAgreement * 100).toFixed(2)}%` +
    (r.relative?.nearTies ? `; ${r.relative.nearTies} near ties within the tolerance` : '') +
    `): ${r.ok ? 'PASS' : 'FAIL'}`
  );
}
