import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runTraining } from '../../../src/jobs/train.js';

let cached: Promise<string> | undefined;

/**
 * A trained LeNet-5 directory: the committed models/lenet5 when it is there, otherwise one trained here
 * on 1,000 images for 1 epoch (seconds), with the same contract and provenance metadata.
 */
export function lenetFixture(): Promise<string> {
  cached ??= (async () => {
    const committed = path.resolve('models/lenet5');
    if (existsSync(path.join(committed, 'model.json'))) return committed;
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'lenet-export-fixture-')), 'lenet5');
    await runTraining(
      {
        arch: 'lenet5',
        out,
        epochs: 1,
        batchSize: 64,
        learningRate: 0.002,
        seed: 3,
        validationSize: 500,
        limit: 1000,
        backend: 'wasm',
        progress: false,
      },
      () => undefined,
    );
    return out;
  })();
  return cached;
}
