/**
 * Any model -> the line reader's classifier: the crops of a picture packed into the model's input batch (runs
 * no larger than the model's `maxBatch`), and its probabilities handed back per crop. The CLI's read workers,
 * the server's `/v1/read` and the widget's line modes all read through this one function, and every `predict`
 * reads its second views through it (predict-input.ts).
 * Shared code: no Node and no DOM imports.
 */
import { pictureSize } from './contract.js';
import { nonFiniteReason, type ContractModel } from './model.js';
import type { Classifier } from './read-line.js';

/**
 * A run gave probabilities that are not all finite: the model is broken, not the picture. Readers make it the
 * picture's error rather than rank NaN as a character. (`predict`'s second look asks for such output as it is,
 * and keeps the first reading of a picture whose views read back broken: predict-input.ts.)
 */
export class BrokenModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BrokenModelError';
  }
}

/**
 * A classifier on `model`: all crops in one run, or in runs of at most `model.maxBatch` crops. Each crop's
 * probabilities are its own copy, in `contract.labels` order; no crops, no run.
 * @param signal passed to every run, so a request that is abandoned stops waiting for the model.
 * @param o.passNonFinite hand output that is not finite back as it is, for a caller that judges each crop's
 *   reading by itself (predict's second views, predict-input.ts), instead of rejecting the whole call.
 * @throws RangeError when `model.maxBatch` is not a positive integer; the classifier rejects with a
 *   RangeError for a crop of the wrong size and, unless `o.passNonFinite`, with a {@link BrokenModelError} for
 *   output that is not finite.
 */
export function modelClassifier(
  model: ContractModel,
  signal?: AbortSignal,
  o: { passNonFinite?: boolean } = {},
): Classifier {
  const { maxBatch } = model;
  if (maxBatch !== undefined && !(Number.isInteger(maxBatch) && maxBatch >= 1))
    throw new RangeError(`model '${model.source}': maxBatch: expected an integer >= 1, got ${maxBatch}`);
  const perRun = maxBatch ?? Infinity;
  const size = pictureSize(model.contract);
  const classes = model.contract.labels.length;
  return async (inputs) => {
    inputs.forEach((x, i) => {
      if (x.length !== size)
        throw new RangeError(
          `inputs[${i}]: expected ${size} values (one picture of model '${model.source}'), got ${x.length}`,
        );
    });
    const out: Float32Array[] = [];
    for (let start = 0; start < inputs.length; start += perRun) {
      const crops = inputs.slice(start, start + perRun);
      const batch = new Float32Array(crops.length * size);
      crops.forEach((x, i) => batch.set(x, i * size));
      const probs = await model.run(batch, crops.length, signal);
      const broken = o.passNonFinite ? null : nonFiniteReason(probs);
      if (broken) throw new BrokenModelError(broken.replace('this picture', 'a character of this picture'));
      for (let i = 0; i < crops.length; i++) out.push(probs.slice(i * classes, (i + 1) * classes));
    }
    return out;
  };
}
