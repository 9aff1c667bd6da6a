// Hostile model and data files for the built CLI: a model.json reaching outside its directory, a layer cycle,
// an unknown layer class, IDX pictures of the wrong size or labels out of range, a model computing NaN, a contract
// claiming enormous pictures, an empty test set. Each refused with one line within the time and memory bounds,
// leaving nothing behind. All inputs are generated here from the committed model and MNIST. Needs `npm run build`.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  statSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { decodeModel, encodeModel, DataType } from '../../src/onnx/encode.js';
import { pngBytes } from '../runtime/helpers/files.js';
import {
  assertBounded,
  assertRefused,
  assertUntouched,
  caseDir,
  csvError,
  runCli,
  snapshot,
  type CliRun,
} from './helpers.js';
import { tinyTrainArgs } from '../helpers/tiny-train.js';

const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
const MODEL_DIR = path.join(ROOT, 'models/lenet5');
const ONNX = path.join(ROOT, 'models/lenet5.onnx');
const mnist = await readMnist('test');

function report(what: string, r: CliRun): void {
  console.log(`${what}: exit ${r.code} in ${Math.round(r.ms)} ms, peak RSS ${Math.round(r.peakBytes / 2 ** 20)} MiB`);
}

/** A copy of the committed tfjs model whose model.json has been passed through `edit`. */
function modelCopy(tag: string, edit: (json: any) => void = () => undefined): string {
  const dir = path.join(caseDir(tag), 'model');
  cpSync(MODEL_DIR, dir, { recursive: true });
  const file = path.join(dir, 'model.json');
  const json = JSON.parse(readFileSync(file, 'utf8'));
  edit(json);
  writeFileSync(file, JSON.stringify(json));
  return dir;
}

/** Run a command that must be refused with exit 1 and one line matching `names`, touching nothing. */
async function refused(args: string[], dir: string, names: RegExp, what: string, code = 1): Promise<CliRun> {
  const before = snapshot(dir);
  const r = await runCli(args);
  assertRefused(r, what, code, names);
  assertUntouched(dir, before);
  report(what, r);
  return r;
}

test('weights paths leaving the model directory: .., absolute, a symlink out; a FIFO; a file longer than declared', async () => {
  const escape = modelCopy('weights-dotdot', (j) => {
    j.weightsManifest[0].paths = ['../../../../dev/zero'];
  });
  await refused(
    ['inspect', escape],
    path.dirname(escape),
    /weights path '\.\.\/\.\.\/\.\.\/\.\.\/dev\/zero' leaves the model directory/,
    'weights ../../dev/zero (inspect)',
  );
  await refused(
    ['export', escape, '--out', path.join(path.dirname(escape), 'm.onnx')],
    path.dirname(escape),
    /leaves the model directory/,
    'weights ../../dev/zero (export)',
  );
  const absolute = modelCopy('weights-abs', (j) => {
    j.weightsManifest[0].paths = ['/dev/zero'];
  });
  await refused(
    ['inspect', absolute],
    path.dirname(absolute),
    /weights path '\/dev\/zero' leaves the model directory/,
    'weights /dev/zero',
  );
  const link = modelCopy('weights-link', (j) => {
    j.weightsManifest[0].paths = ['w.bin'];
  });
  symlinkSync('/dev/zero', path.join(link, 'w.bin'));
  await refused(
    ['inspect', link],
    path.dirname(link),
    /'.*w\.bin' .*is a symlink leading out of the model directory \(to '\/dev\/zero'\)/,
    'weights symlink to /dev/zero',
  );
  const fifo = modelCopy('weights-fifo', (j) => {
    j.weightsManifest[0].paths = ['w.bin'];
  });
  execFileSync('mkfifo', [path.join(fifo, 'w.bin')]);
  await refused(
    ['inspect', fifo],
    path.dirname(fifo),
    /weights file '.*w\.bin' is a FIFO \(named pipe\), not a regular file: refused/,
    'weights FIFO',
  );
  const huge = modelCopy('weights-huge');
  const weights = path.join(
    huge,
    JSON.parse(readFileSync(path.join(huge, 'model.json'), 'utf8')).weightsManifest[0].paths[0],
  );
  truncateSync(weights, 4 * 1024 ** 3); // sparse: 4 GiB claimed, nothing stored
  await refused(
    ['inspect', huge],
    path.dirname(huge),
    /weights file '.*' is 4294967296 bytes, over the 246824 bytes expected/,
    '4 GiB weights file',
  );
});

test('a model.json that is itself a FIFO or /dev/zero', async () => {
  const dir = caseDir('json-fifo');
  execFileSync('mkfifo', [path.join(dir, 'model.json')]);
  await refused(
    ['inspect', path.join(dir, 'model.json')],
    dir,
    /model '.*model\.json' is a FIFO \(named pipe\), not a regular file: refused/,
    'model.json FIFO',
  );
  const linked = caseDir('json-zero');
  symlinkSync('/dev/zero', path.join(linked, 'model.json'));
  await refused(
    ['inspect', linked],
    linked,
    /model '.*model\.json' is a character device, not a regular file: refused/,
    'model.json -> /dev/zero',
  );
});

/** Make layer `to` take its input from layer `from` (by name), closing a loop when `from` comes after `to`. */
function rewire(j: any, to: string, from: string): void {
  const layer = j.modelTopology.config.layers.find((l: { name: string }) => l.name === to);
  layer.inbound_nodes = [[[from, 0, 0, {}]]];
}

test('layers forming a cycle: inspect and export refuse at once, naming the layers of the cycle', async () => {
  const cyc = modelCopy('cycle', (j) => rewire(j, 'c1', 'c3'));
  const names = /the layers form a cycle \(c1 -> s2 -> c3 -> c1\)/;
  await refused(['inspect', cyc], path.dirname(cyc), names, 'cycle (inspect)');
  await refused(
    ['export', cyc, '--out', path.join(path.dirname(cyc), 'm.onnx')],
    path.dirname(cyc),
    names,
    'cycle (export)',
  );
  const self = modelCopy('self-loop', (j) => rewire(j, 'f6', 'f6'));
  await refused(['inspect', self], path.dirname(self), /the layers form a cycle \(f6 -> f6\)/, 'self loop');
  const dangling = modelCopy('dangling', (j) => rewire(j, 'f6', 'nowhere'));
  await refused(
    ['inspect', dangling],
    path.dirname(dangling),
    /layer 'f6' takes its input from 'nowhere', which is not a layer of the model/,
    'dangling input',
  );
  const never = modelCopy('never-called', (j) => {
    j.modelTopology.config.layers.find((l: { name: string }) => l.name === 'f6').inbound_nodes = [[['f5', 3, 0, {}]]];
  });
  await refused(
    ['inspect', never],
    path.dirname(never),
    /layer 'f6' takes call 3 of layer 'f5', which is called only 1 time/,
    'call never made',
  );
});

test('an unknown layer class is one line; inspect of a tfjs directory prints no tfjs banner', async () => {
  const unknown = modelCopy('unknown-class', (j) => {
    j.modelTopology.config.layers.find((l: { name: string }) => l.name === 'standardize').class_name = 'Frobnicate';
  });
  await refused(['inspect', unknown], path.dirname(unknown), /unknown layer class 'Frobnicate'/, 'unknown class');
  const r = await runCli(['inspect', MODEL_DIR]);
  assertBounded(r, 'inspect tfjs');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stderr, '', 'inspect of a tfjs directory wrote to stderr');
  assert.match(r.stdout, /tfjs LayersModel/);
  report('inspect tfjs (clean stderr)', r);
});

/** IDX bytes: an images file (count x rows x cols) or a labels file. */
function idxImages(count: number, rows: number, cols: number, fill = 0): Buffer {
  const b = Buffer.alloc(16 + count * rows * cols, fill);
  b.writeUInt32BE(2051, 0);
  b.writeUInt32BE(count, 4);
  b.writeUInt32BE(rows, 8);
  b.writeUInt32BE(cols, 12);
  return b;
}
function idxLabels(labels: number[]): Buffer {
  const b = Buffer.alloc(8 + labels.length);
  b.writeUInt32BE(2049, 0);
  b.writeUInt32BE(labels.length, 4);
  Buffer.from(labels).copy(b, 8);
  return b;
}

/** A data directory of MNIST-format files, training and test alike unless told. */
function dataDir(tag: string, train: [Buffer, Buffer], test: [Buffer, Buffer] = train): string {
  const dir = caseDir(tag);
  writeFileSync(path.join(dir, 'train-images-idx3-ubyte'), train[0]);
  writeFileSync(path.join(dir, 'train-labels-idx1-ubyte'), train[1]);
  writeFileSync(path.join(dir, 't10k-images-idx3-ubyte'), test[0]);
  writeFileSync(path.join(dir, 't10k-labels-idx1-ubyte'), test[1]);
  return dir;
}

const digits = (n: number) => Array.from({ length: n }, (_, i) => i % 10);

test('train --data: 32x32 pictures and labels beyond 9 are refused before training; --out is never created', async () => {
  const big = dataDir('idx-32', [idxImages(200, 32, 32), idxLabels(digits(200))]);
  const out = path.join(big, 'out');
  await refused(
    ['train', '--data', big, '--out', out, '--epochs', '1', '--workers', '1'],
    big,
    /train-images-idx3-ubyte: 32x32 pictures, but architecture 'lenet5' takes 28x28/,
    '32x32 training pictures',
  );
  assert.ok(!existsSync(out), '--out was created by a refused run');
  const labels = digits(200);
  labels[57] = 12;
  const wild = dataDir('idx-label', [idxImages(200, 28, 28), idxLabels(labels)]);
  await refused(
    ['train', '--data', wild, '--out', path.join(wild, 'out'), '--epochs', '1', '--workers', '1'],
    wild,
    /train-labels-idx1-ubyte: label 12 at index 57 is outside 0-9/,
    'label 12',
  );
  const testOnly = dataDir(
    'idx-test-label',
    [idxImages(200, 28, 28), idxLabels(digits(200))],
    [idxImages(10, 28, 28), idxLabels([0, 1, 2, 3, 255, 5, 6, 7, 8, 9])],
  );
  await refused(
    ['train', '--data', testOnly, '--out', path.join(testOnly, 'out'), '--epochs', '1', '--workers', '1'],
    testOnly,
    /t10k-labels-idx1-ubyte: label 255 at index 4 is outside 0-9/,
    'test label 255',
  );
  // a refused option, too, leaves no directory
  const opt = caseDir('train-opt');
  await refused(
    ['train', '--data', big, '--out', path.join(opt, 'a', 'b'), '--arch', 'nope'],
    opt,
    /--arch/,
    'unknown arch',
    2,
  );
  assert.ok(!existsSync(path.join(opt, 'a')));
});

/** The committed ONNX model with `edit` applied to its decoded form. */
function onnxCopy(tag: string, edit: (m: ReturnType<typeof decodeModel>) => void): string {
  const m = decodeModel(readFileSync(ONNX));
  edit(m);
  const file = path.join(caseDir(tag), 'model.onnx');
  writeFileSync(file, encodeModel(m));
  return file;
}

/** Fill the last bias (a float vector initializer) with `value`. */
function poison(value: number) {
  return (m: ReturnType<typeof decodeModel>) => {
    const bias = m.graph.initializer.filter((t) => t.dataType === DataType.FLOAT && t.dims.length === 1).at(-1)!;
    bias.rawData = new Uint8Array(new Float32Array(Number(bias.dims[0])).fill(value).buffer);
  };
}

test('a model computing NaN: predict and read give error rows, evaluate refuses', async () => {
  const nan = onnxCopy('nan', poison(NaN));
  const dir = path.dirname(nan);
  const pic = path.join(dir, 'seven.png');
  writeFileSync(pic, pngBytes({ width: 28, height: 28, data: mnist.images.slice(0, 784) }));
  const before = snapshot(dir);
  const r = await runCli(['predict', pic, '--model', nan, '--format', 'csv']);
  assertRefused(r, 'NaN predict', 1, /1 of 1 pictures failed/);
  assert.match(csvError(r.stdout, 'seven.png')!, /the model produced NaN probabilities for this picture/);
  assert.doesNotMatch(r.stdout, /seven\.png,\d/, 'a digit was reported');
  report('NaN predict', r);
  const rr = await runCli(['read', pic, '--model', nan, '--format', 'csv']);
  assertBounded(rr, 'NaN read');
  assert.equal(rr.code, 1, rr.stderr);
  assert.match(rr.stdout, /the model produced NaN probabilities for a character of this picture/);
  report('NaN read', rr);
  assertUntouched(dir, before);
  const data = dataDir('nan-data', [idxImages(20, 28, 28), idxLabels(digits(20))]);
  cpSync(nan, path.join(data, 'model.onnx'));
  await refused(
    ['evaluate', '--model', path.join(data, 'model.onnx'), '--data', data],
    data,
    /model '.*model\.onnx' produced NaN probabilities for picture 0/,
    'NaN evaluate',
  );
  const inf = onnxCopy('inf', poison(Infinity));
  const ri = await runCli(['predict', pic, '--model', inf, '--format', 'csv']);
  assertRefused(ri, 'Inf predict', 1, /1 of 1 pictures failed/);
  assert.match(csvError(ri.stdout, 'seven.png')!, /the model produced (NaN|infinite) probabilities/);
});

test('a contract claiming 100000x100000 pictures or a million labels is refused in one line', async () => {
  const claim = (key: string, value: string) => (m: ReturnType<typeof decodeModel>) => {
    m.metadataProps.find((p) => p.key === key)!.value = value;
  };
  const huge = onnxCopy('contract-huge', claim('contract.input_shape', 'N,1,100000,100000'));
  const pic = path.join(path.dirname(huge), 'x.png');
  writeFileSync(pic, pngBytes({ width: 28, height: 28, data: mnist.images.slice(0, 784) }));
  for (const cmd of [['predict', pic], ['evaluate'], ['inspect']] as const) {
    const args = cmd[0] === 'inspect' ? ['inspect', huge] : [...cmd, '--model', huge];
    if (cmd[0] === 'inspect') {
      // inspect reports any ONNX file and does not need a contract; it must still not crash
      const r = await runCli(args);
      assertBounded(r, 'huge contract (inspect)');
      continue;
    }
    await refused(args, path.dirname(huge), /contract\.input_shape.*out of bounds/, `huge contract (${cmd[0]})`);
  }
  const channels = onnxCopy('contract-channels', claim('contract.input_shape', 'N,7,28,28'));
  await refused(
    ['predict', pic, '--model', channels],
    path.dirname(channels),
    /contract\.input_shape.*out of bounds/,
    'seven channels',
  );
  const many = onnxCopy(
    'contract-labels',
    claim('contract.labels', Array.from({ length: 1_000_001 }, (_, i) => `l${i}`).join(',')),
  );
  await refused(
    ['predict', pic, '--model', many],
    path.dirname(many),
    /contract\.labels': expected 1-1000 non-empty labels, got 1000001/,
    'a million labels',
  );
});

test('evaluate on a test set of 0 pictures is refused, not reported as NaN%', async () => {
  const data = dataDir('empty', [idxImages(0, 28, 28), idxLabels([])]);
  const r = await refused(
    ['evaluate', '--model', ONNX, '--data', data, '--svg', path.join(data, 'c.svg')],
    data,
    /t10k-images-idx3-ubyte: holds 0 pictures; nothing to evaluate/,
    'empty test set',
  );
  assert.doesNotMatch(r.stdout, /NaN/);
});

test('train writes history.json, curves.svg and card.md before switching model.json', async () => {
  const dir = caseDir('train-order');
  const out = path.join(dir, 'm');
  mkdirSync(out);
  const r = await runCli(tinyTrainArgs(out));
  assertBounded(r, 'tiny train');
  assert.equal(r.code, 0, r.stderr);
  report('tiny train', r);
  const mtime = (f: string) => statSync(path.join(out, f)).mtimeMs;
  for (const f of ['history.json', 'curves.svg', 'card.md'])
    assert.ok(mtime(f) <= mtime('model.json'), `${f} written after model.json`);
});
