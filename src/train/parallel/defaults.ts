import { availableParallelism } from 'node:os';

/**
 * Replicas beyond which data-parallel training stopped paying in our measurements (BENCHMARKS.md,
 * section speed): a LeNet-5 batch of 64 split further leaves shards so small that per-kernel overhead,
 * not arithmetic, sets the pace, and the machines measured have 2 cores.
 */
export const MAX_USEFUL_WORKERS = 2;

/** Default `--workers`: the cores this process may use, capped at {@link MAX_USEFUL_WORKERS}. */
export function defaultWorkers(): number {
  return Math.max(1, Math.min(availableParallelism(), MAX_USEFUL_WORKERS));
}
