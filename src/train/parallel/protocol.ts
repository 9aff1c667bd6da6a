import type { ReplicaConfig } from './replica.js';
import type { SharedBuffers } from './shared.js';

/** What the coordinator hands a worker at start (structured-cloned; the shared buffers are shared). */
export interface WorkerInit {
  config: ReplicaConfig;
  /** Resolved tfjs backend name of the coordinator ('wasm', 'cpu', 'tensorflow'). */
  backend: string;
  /** `model.toJSON(null, false)`: the replica is rebuilt from it, custom layers included. */
  topology: object;
  /** The coordinator's weights in `model.weights` order: every replica starts bit-identical. */
  weights: Float32Array[];
  shared: SharedBuffers;
  /** Compare weight hashes after every step, not only at epoch ends (tests). */
  checkEveryStep: boolean;
  /** Make this worker fail at a global step: how the tests prove a dead worker is reported. */
  fault?: WorkerFault;
}

/** A failure to inject: throw an error, or end the thread abruptly without any clean-up. */
export interface WorkerFault {
  rank: number;
  step: number;
  how: 'throw' | 'exit';
}

/** Messages a worker posts. */
export type WorkerMessage = { type: 'ready' } | { type: 'done'; hash: number } | { type: 'aborted' };
