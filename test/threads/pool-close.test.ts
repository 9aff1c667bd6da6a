// Closing a pool: a worker terminated while a native call of its own is under way (an onnxruntime session being
// created) aborts the whole process ("terminate called after throwing an instance of 'Napi::Error'"), so a pool
// asks its idle workers to end and lets them finish what they started.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { startWorker } from '../../src/threads/start-worker.js';
import { WorkerPool } from '../../src/threads/pool.js';
import { tempDir, testOnnxPath } from '../runtime/helpers/files.js';

test('close lets every idle worker finish its cleanup before it ends', { timeout: 30_000 }, async () => {
  const dir = tempDir('pool-close');
  const marks = [0, 1, 2].map((w) => path.join(dir, `worker-${w}`));
  const pool = new WorkerPool<{ id: number }, { id: number }>(
    (w) =>
      startWorker(new URL('./fixtures/x.ts', import.meta.url).href, 'slow-cleanup-worker', { workerData: marks[w] }),
    3,
    'test',
  );
  await pool.request({});
  await pool.close();
  for (const m of marks) {
    assert.ok(existsSync(m), `${path.basename(m)} was stopped before its cleanup ran`);
    assert.equal(readFileSync(m, 'utf8'), 'cleaned');
  }
});

test('read pools closed while their workers load the model end cleanly, every time', { timeout: 120_000 }, () => {
  const script = fileURLToPath(new URL('./fixtures/close-while-loading.ts', import.meta.url));
  const r = spawnSync(process.execPath, ['--import', 'tsx', script, testOnnxPath(), '30'], { encoding: 'utf8' });
  assert.doesNotMatch(r.stderr, /terminate called|Napi::Error/, r.stderr);
  assert.equal(r.signal, null, `the process was killed by ${r.signal}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /closed/);
});
