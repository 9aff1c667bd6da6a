// Seeded fuzzing of the files the CLI reads besides pictures: MNIST IDX files (as train --data reads and checks
// them), a tfjs model directory (model.json and its weights, as inspect and export load them) and ONNX files (as
// inspect summarises them and predict --model opens them in onnxruntime). Every mutated file must load or give one
// of our one-line errors; never another exception, a stack trace or a hang. The cases run in a worker thread
// under a watchdog, since a hang in synchronous code cannot be timed from inside. FUZZ_SEED and
// FUZZ_FILES_SECONDS change the seed and the time spent.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import type { Worker } from 'node:worker_threads';
import { readMnist } from '../../src/data/idx.js';
import { startWorker } from '../../src/threads/start-worker.js';
import { int, mutate, rng, type FileKind } from './mutate.js';
import type { FuzzReply, FuzzRequest } from './files-worker.js';

const SEED = Number(process.env.FUZZ_SEED ?? 20240612);
const SECONDS = Number(process.env.FUZZ_FILES_SECONDS ?? 14);
/** Longest one case may take before it counts as a hang (loading a model builds it in tfjs). */
const CASE_MS = 5000;
const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

/** IDX bytes of the first `n` MNIST test pictures or their labels. */
function idx(kind: 'images' | 'labels', images: Uint8Array, labels: Uint8Array, n: number): Uint8Array {
  const head = Buffer.alloc(kind === 'images' ? 16 : 8);
  head.writeUInt32BE(kind === 'images' ? 2051 : 2049, 0);
  head.writeUInt32BE(n, 4);
  if (kind === 'images') {
    head.writeUInt32BE(28, 8);
    head.writeUInt32BE(28, 12);
  }
  return Buffer.concat([head, kind === 'images' ? images.subarray(0, n * 784) : labels.subarray(0, n)]);
}

/** The worker and a way to run one case under the watchdog. */
function caseRunner(): { run(req: FuzzRequest, what: string): Promise<FuzzReply>; close(): Promise<number> } {
  const worker: Worker = startWorker(import.meta.url, 'files-worker');
  let waiting: ((r: FuzzReply) => void) | undefined;
  let failed: ((e: Error) => void) | undefined;
  worker.on('message', (m: FuzzReply) => waiting?.(m));
  worker.on('error', (e) => failed?.(e));
  worker.on('exit', (code) => failed?.(new Error(`the fuzz worker exited with code ${code}`)));
  const next = () =>
    new Promise<FuzzReply>((resolve, reject) => {
      waiting = resolve;
      failed = reject;
    });
  const ready = next();
  return {
    async run(req, what) {
      await ready;
      const reply = next();
      worker.postMessage(req);
      let timer: NodeJS.Timeout | undefined;
      const hang = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          void worker.terminate();
          reject(new Error(`${what}: no answer within ${CASE_MS} ms (a hang)`));
        }, CASE_MS);
      });
      try {
        return await Promise.race([reply, hang]);
      } finally {
        clearTimeout(timer);
      }
    },
    close: () => {
      failed = undefined;
      return worker.terminate();
    },
  };
}

/** The files of a failing case, kept for a rerun by hand. */
function keep(files: Record<string, Uint8Array>): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-fuzz-failure-'));
  for (const [name, bytes] of Object.entries(files)) writeFileSync(path.join(dir, name), bytes);
  return dir;
}

test('mutated IDX files, model.json, weights and ONNX files load or give one of our one-line errors', async () => {
  const mnist = await readMnist('test');
  const sets: Record<FuzzRequest['target'], Record<string, Uint8Array>> = {
    idx: {
      'train-images-idx3-ubyte': idx('images', mnist.images, mnist.labels, 60),
      'train-labels-idx1-ubyte': idx('labels', mnist.images, mnist.labels, 60),
      't10k-images-idx3-ubyte': idx('images', mnist.images.subarray(60 * 784), mnist.labels.subarray(60), 20),
      't10k-labels-idx1-ubyte': idx('labels', mnist.images.subarray(60 * 784), mnist.labels.subarray(60), 20),
    },
    model: Object.fromEntries(
      [
        'model.json',
        JSON.parse(readFileSync(path.join(ROOT, 'models/lenet5/model.json'), 'utf8')).weightsManifest[0].paths[0],
      ].map((f: string) => [f, new Uint8Array(readFileSync(path.join(ROOT, 'models/lenet5', f)))]),
    ),
    onnx: { 'model.onnx': new Uint8Array(readFileSync(path.join(ROOT, 'models/lenet5.onnx'))) },
  };
  const int8 = new Uint8Array(readFileSync(path.join(ROOT, 'models/lenet5.int8.onnx')));
  const runner = caseRunner();
  try {
    for (const [target, files] of Object.entries(sets)) {
      const r = await runner.run({ target: target as FuzzRequest['target'], files }, `unmutated ${target}`);
      assert.deepEqual(r, { outcome: 'ok' }, `the unmutated ${target} files must load`);
    }
    const share: Record<FuzzRequest['target'], number> = { idx: 0.25, model: 0.4, onnx: 0.35 };
    const summary: string[] = [];
    let total = 0;
    for (const target of Object.keys(sets) as Array<FuzzRequest['target']>) {
      const outcomes: Record<string, number> = {};
      const deadline = performance.now() + SECONDS * share[target] * 1000;
      let cases = 0;
      while (performance.now() < deadline) {
        // each case has its own stream, so a failing case can be made again from (seed, target, case) alone
        const r = rng(
          Math.imul(SEED ^ Math.imul(Object.keys(sets).indexOf(target) + 1, 0x9e3779b1), 0x85ebca6b) + cases,
        );
        const files = { ...sets[target] };
        if (target === 'onnx' && r() < 0.3) files['model.onnx'] = int8;
        const names = Object.keys(files);
        // model.json is where a model file's structure lives; mutate it more often than the weights
        let name = target === 'model' ? names[r() < 0.75 ? 0 : 1] : names[int(r, names.length)];
        const kind: FileKind =
          target === 'idx' ? 'idx' : target === 'onnx' ? 'onnx' : name === 'model.json' ? 'json' : 'bytes';
        let source = files[name];
        if (target === 'idx' && r() < 0.2) {
          // the same file gzipped, mutated before or after compression
          delete files[name];
          name += '.gz';
          source = r() < 0.5 ? gzipSync(mutate(source, kind, r).bytes) : source;
          source = r() < 0.5 && source === files[name.slice(0, -3)] ? source : gzipSync(source);
        }
        const { bytes, how } = mutate(source, name.endsWith('.gz') ? 'bytes' : kind, r);
        files[name] = bytes;
        const what = `${target} case ${cases} (${name}, ${how}, seed ${SEED})`;
        const reply = await runner.run({ target, files }, what).catch((err: Error) => {
          throw new Error(`${err.message}; files kept in ${keep(files)}`);
        });
        if ('crash' in reply)
          assert.fail(`${what}: not one of our errors (files kept in ${keep(files)}):\n${reply.crash}`);
        if (reply.message !== undefined) {
          assert.doesNotMatch(reply.message, /\n|\bat .*:\d+:\d+/, `${what}: a multi-line message or a stack`);
        }
        outcomes[reply.outcome] = (outcomes[reply.outcome] ?? 0) + 1;
        cases++;
      }
      total += cases;
      summary.push(
        `${target} ${cases} (${Object.entries(outcomes)
          .map(([k, v]) => `${v} ${k}`)
          .join(', ')})`,
      );
      assert.ok(cases >= 50, `${target}: only ${cases} cases ran`);
    }
    console.log(`fuzz files: ${total} cases in ${SECONDS} s (seed ${SEED}): ${summary.join('; ')}`);
  } finally {
    await runner.close();
  }
});
