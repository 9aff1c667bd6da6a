// The MNIST test digits a model reads wrong in MNIST's own form: what no reader of pictures built from them
// can be expected to get right, so the benches report it beside their scores as the model's ceiling.
import type { IdxDataset } from '../src/data/idx.js';
import { evaluateModel } from '../src/runtime/node/evaluate.js';
import type { DigitModel } from '../src/runtime/node/session.js';

/** Indices of the MNIST test digits the model reads wrong, as `evaluate` gives them to it. */
export async function misreadDigits(model: DigitModel, mnist: IdxDataset): Promise<Set<number>> {
  const report = await evaluateModel(model, mnist, { batchSize: 1000, worst: mnist.count });
  return new Set(report.worst.map((m) => m.index));
}
