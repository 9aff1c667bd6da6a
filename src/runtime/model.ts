/**
 * The one model interface: what the Node runtime (onnxruntime-node), the widget (onnxruntime-web) and the
 * server hand to the code that reads pictures. Shared code: no Node and no DOM imports.
 */
import type { InputContract } from './contract.js';

/** A loaded digit model that runs batches of pictures laid out per its contract. */
export interface ContractModel {
  /** Where the model came from (a path or a URL), for messages. */
  readonly source: string;
  readonly contract: InputContract;
  /**
   * Probabilities for `n` pictures: `input` holds `n` pictures (see `pictureSize`), the result
   * `n * contract.labels.length` values in label order.
   */
  run(input: Float32Array, n: number): Promise<Float32Array>;
}
