// A served model is a model like any other: `/v1/read`'s work, on the main thread or in a worker thread asking
// the main thread for each run through the batcher, gives the very row a plain Node session reads.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, test } from 'node:test';
import { readPictureBytes, type ReadRow } from '../../src/runtime/node/read.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { closeServedModels, loadServedModels, servedEntry } from '../../src/server/models.js';
import { RequestWork, WORK_DEFAULTS } from '../../src/server/request-work.js';
import { MODEL } from './helpers/server.js';

const PICTURES = ['examples/scan-number-40033.png', 'examples/photo-number-3286.jpg', 'examples/mnist-7.png'];

const session = await loadDigitModel(MODEL);
const served = await loadServedModels([servedEntry(MODEL)], { enabled: true, maxBatch: 64, delayMs: 1 });
const m = [...served.values()][0].pictures!;
const batcher = [...served.values()][0].batcher!;
const onMain = new RequestWork({ ...WORK_DEFAULTS, workers: 1, inlineBodyBytes: Infinity, inlinePixels: Infinity });
const inWorker = new RequestWork({ ...WORK_DEFAULTS, workers: 1, inlineBodyBytes: 0, inlinePixels: 0 });
after(async () => {
  await Promise.all([onMain.close(1000), inWorker.close(1000)]);
  await closeServedModels(served);
  await session.close();
});

/** A row without its debug view, for comparison. */
const plain = (r: ReadRow): ReadRow => ({ ...r, debug: undefined });

test('the served model reads each picture as the Node session does, on the main thread and in a worker', async () => {
  for (const file of PICTURES) {
    const bytes = readFileSync(file);
    const want = await readPictureBytes(file, bytes, session);
    assert.equal(want.error, null, `${file}: ${want.error}`);
    const runs: number[] = [];
    for (const [where, work] of [
      ['main thread', onMain],
      ['worker', inWorker],
    ] as const) {
      const before = batcher.stats.runs;
      const got = await work.read(bytes, m, file, new AbortController().signal);
      runs.push(batcher.stats.runs - before);
      assert.deepEqual(plain(got), plain(want), `${file} read on the ${where}`);
    }
    // every run went through the served model's batcher, as many in the worker as on the main thread: one for
    // the picture's crops, and one more when some crop is read again leaning (read-line.ts)
    assert.equal(runs[1], runs[0], `${file}: runs on the main thread and in the worker`);
    assert.ok(runs[0] >= 1 && runs[0] <= 2, `${file}: ${runs[0]} runs`);
  }
});
