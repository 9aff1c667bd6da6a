// Browser vs Node: the same MNIST test images through the page's main widget and through onnxruntime-node,
// both after the shared preprocessing and second look, compared image by image.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';
import type { IdxDataset } from '../../../src/data/idx.js';
import { inputShape, pictureSize } from '../../../src/runtime/contract.js';
import type { ContractModel } from '../../../src/runtime/model.js';
import { predictInput } from '../../../src/runtime/predict-input.js';
import { readModelBytes } from '../../../src/runtime/model-file.js';
import { preprocess } from '../../../src/runtime/preprocess.js';
import { compareFloats } from '../../helpers/close.js';

/** What the widget's `predictImage` resolves to, as far as these tests read it. */
export interface BrowserPrediction {
  ok: boolean;
  digit: number;
  probabilities: number[];
  backend: string;
}

/** `predict`'s probabilities on onnxruntime-node for the first `n` test images of `mnist` with the model in `file`. */
export async function nodeProbabilities(file: string, mnist: IdxDataset, n: number): Promise<number[][]> {
  const ort = await import('onnxruntime-node');
  const { contract } = readModelBytes(new Uint8Array(readFileSync(file)), file);
  const session = await ort.InferenceSession.create(file);
  // `predict`'s reading, the second look at an unsure digit included, as the widget answers
  const model: ContractModel = {
    source: file,
    contract,
    run: async (input, n) => {
      const r = await session.run({
        [contract.inputName]: new ort.Tensor(
          'float32',
          input.subarray(0, n * pictureSize(contract)),
          inputShape(contract, n),
        ),
      });
      return r[contract.outputName].data as Float32Array;
    },
  };
  const out: number[][] = [];
  try {
    for (let i = 0; i < n; i++) {
      const pre = preprocess({ width: 28, height: 28, data: mnist.images.subarray(i * 784, (i + 1) * 784) }, contract);
      assert.ok(pre.ok, `image ${i}: ${pre.ok ? '' : pre.message}`);
      out.push(Array.from(await predictInput(model, pre.input)));
    }
  } finally {
    await session.release();
  }
  return out;
}

/** The same images as RGBA ImageData through `predictImage` of the page's main widget. */
export async function browserPredictions(page: Page, mnist: IdxDataset, n: number): Promise<BrowserPrediction[]> {
  const gray = Array.from(mnist.images.subarray(0, n * 784));
  return page.evaluate(
    async ({ gray, n }) => {
      const el = document.getElementById('main') as any;
      const results = [];
      for (let i = 0; i < n; i++) {
        const img = new ImageData(28, 28);
        for (let p = 0; p < 784; p++) {
          const v = gray[i * 784 + p];
          img.data.set([v, v, v, 255], p * 4);
        }
        results.push(await el.predictImage(img));
      }
      return results;
    },
    { gray, n },
  );
}

/** Same digit and every probability within 1e-5 of Node's, image by image; prints the worst difference. */
export function assertAgreement(browserOut: BrowserPrediction[], node: number[][], label: string): void {
  let worst = { image: -1, diff: 0 };
  for (let i = 0; i < node.length; i++) {
    const b = browserOut[i];
    assert.equal(b.ok, true, `image ${i}`);
    const nodeDigit = node[i].indexOf(Math.max(...node[i]));
    assert.equal(b.digit, nodeDigit, `image ${i}: browser reads ${b.digit}, Node reads ${nodeDigit}`);
    const c = compareFloats(b.probabilities, node[i], 1e-5, 0);
    if (c.maxAbs > worst.diff) worst = { image: i, diff: c.maxAbs };
    assert.ok(c.ok, `image ${i}: max |browser - node| = ${c.maxAbs} at class ${c.worstIndex}`);
  }
  process.stdout.write(
    `# ${label} vs onnxruntime-node on ${node.length} MNIST test images: max |diff| ${worst.diff.toExponential(2)} (image ${worst.image}), all digits equal\n`,
  );
}
