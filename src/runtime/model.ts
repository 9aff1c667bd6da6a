/**
 * The one model interface: what the Node runtime (onnxruntime-node), the server (each run through its batcher)
 * and the widget (onnxruntime-web) hand to the code that reads pictures. Each backend's own extras (a session to
 * release, the backend in use) extend this interface; `modelClassifier` makes a classifier of any of them.
 * Shared code: no Node and no DOM imports.
 */
import type { InputContract } from './contract.js';

/** A loaded model that runs batches of pictures laid out per its contract. */
export interface ContractModel {
  /** Where the model came from (a path or a URL), for messages. */
  readonly source: string;
  readonly contract: InputContract;
  /**
   * Most pictures one run may take, for a backend that has such a bound; absent when a run takes any number.
   * Callers that batch (see `modelClassifier`) split their work into runs no larger.
   */
  readonly maxBatch?: number;
  /**
   * Probabilities for `n` pictures: `input` holds at least `n` pictures (see `pictureSize`), the result
   * `n * contract.labels.length` values in label order. A run given a `signal` that aborts may reject
   * instead, when the backend can stop waiting (the server's batcher can).
   */
  run(input: Float32Array, n: number, signal?: AbortSignal): Promise<Float32Array>;
}

/**
 * Why `probs` (a run's output) cannot be ranked, or undefined when every value is finite. NaN compares false
 * with everything, so ranking such output would name whichever label happened to come first.
 */
export function nonFiniteReason(probs: Float32Array): string | undefined {
  for (let i = 0; i < probs.length; i++) {
    if (!Number.isFinite(probs[i])) {
      return `the model produced ${Number.isNaN(probs[i]) ? 'NaN' : 'infinite'} probabilities for this picture; the model is broken: re-train or re-export it`;
    }
  }
  return undefined;
}
