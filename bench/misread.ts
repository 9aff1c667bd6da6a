// The MNIST test digits a model reads wrong in MNIST's own form: what no reader of pictures built from them
// can be expected to get right, so the benches report it beside their scores as the model's ceiling.
import type { IdxDataset } from '../src/data/idx.js';
import type { DigitModel } from '../src/runtime/node/session.js';

/** The MNIST test digits the model reads wrong in MNIST's own 28x28 form, as `evaluate` gives them to it. */
export async function misreadDigits(model: DigitModel, mnist: IdxDataset): Promise<Set<number>> {
  const c = model.contract;
  const size = c.height * c.width;
  if (mnist.rows * mnist.cols !== size) throw new Error(`the model takes ${c.height}x${c.width}, MNIST is ${mnist.rows}x${mnist.cols}`);
  const [lo, hi] = c.pixelRange;
  const digitOutput = Array.from({ length: 10 }, (_, d) => c.labels.indexOf(String(d)));
  const wrong = new Set<number>();
  const batch = 1000;
  for (let start = 0; start < mnist.count; start += batch) {
    const n = Math.min(batch, mnist.count - start);
    const input = new Float32Array(n * size);
    for (let i = 0; i < n * size; i++) {
      const v = mnist.images[start * size + i] / 255;
      input[i] = c.ink === 'high' ? lo + v * (hi - lo) : hi - v * (hi - lo);
    }
    const probs = await model.run(input, n);
    const k = c.labels.length;
    for (let j = 0; j < n; j++) {
      let best = 0;
      for (let q = 1; q < k; q++) if (probs[j * k + q] > probs[j * k + best]) best = q;
      if (best !== digitOutput[mnist.labels[start + j]]) wrong.add(start + j);
    }
  }
  return wrong;
}
