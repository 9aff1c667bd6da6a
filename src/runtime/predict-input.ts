/**
 * `predict`'s reading of model inputs, the same on every surface (CLI, server, API, widget): the model's
 * probabilities, with an unsure reading looked at again (second-look.ts).
 *
 * Shared code: no Node and no DOM imports.
 */
import type { ContractModel } from './model.js';
import { modelClassifier } from './model-classifier.js';
import { lookAgainAtInputs } from './second-look.js';

/**
 * `first[i]`, the model's probabilities for `inputs[i]`, each unsure one averaged with the readings of its
 * second views in one more run. A picture whose views the model reads as anything not finite keeps its first
 * reading, and the other pictures of the batch keep their second looks: the caller reports a broken first
 * reading of its own, and a sound one needs no second look to be an answer.
 */
export async function lookAgainAtPictures(
  model: ContractModel,
  inputs: readonly Float32Array[],
  first: readonly Float32Array[],
  signal?: AbortSignal,
): Promise<Float32Array[]> {
  return await lookAgainAtInputs(
    modelClassifier(model, signal, { passNonFinite: true }),
    inputs,
    first,
    model.contract,
  );
}

/** One picture's probabilities as `predict` answers them: `input` read by `model`, and looked at again when unsure. */
export async function predictInput(
  model: ContractModel,
  input: Float32Array,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const first = await model.run(input, 1, signal);
  return (await lookAgainAtPictures(model, [input], [first], signal))[0];
}
