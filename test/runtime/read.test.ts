import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import sharp from 'sharp';
import path from 'node:path';
import { test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { numberPicture } from '../../bench/generate/numbers.js';
import { runCli } from '../helpers/cli.js';
import { pngBytes, put, tempDir, testOnnxPath } from './helpers/files.js';
import { operatorStrokes, renderStrokes, type OperatorSymbol } from '../../src/train/data/operator-strokes.js';
import { seededRandom } from '../../src/train/data/rng.js';

const MODEL = testOnnxPath();
const mnist = await readMnist('test');

/** A folder of scanned numbers from the bench's generator (MNIST test digits), with their true text. */
async function numbersDir(count: number, seed: number): Promise<{ dir: string; truth: Map<string, string> }> {
  const dir = tempDir('read');
  const truth = new Map<string, string>();
  for (let i = 0; i < count; i++) {
    const p = await numberPicture(mnist, seed, i, 'scan', { minDigits: 3, maxDigits: 6 });
    const file = put(dir, `${String(i).padStart(3, '0')}.png`, p.bytes);
    truth.set(file, p.text);
  }
  return { dir, truth };
}

const json = (stdout: string) => JSON.parse(stdout) as Array<Record<string, unknown>>;

test('read gives the numbers of the bundled examples, with the JSON fields the CLI promises', async () => {
  const r = await runCli(
    'read',
    'examples/photo-number-3286.jpg',
    'examples/scan-number-40033.png',
    '--model',
    MODEL,
    '--format',
    'json',
  );
  assert.equal(r.code, 0, r.stderr);
  const rows = json(r.stdout);
  assert.deepEqual(
    rows.map((row) => row.text),
    ['3286', '40033'],
  );
  for (const row of rows) {
    assert.deepEqual(Object.keys(row), ['path', 'text', 'confidence', 'digits', 'error']);
    const digits = row.digits as Array<{
      digit: string;
      probability: number;
      box: Record<string, number>;
      edge: boolean;
    }>;
    assert.equal(digits.map((d) => d.digit).join(''), row.text);
    assert.equal(row.confidence, Math.min(...digits.map((d) => d.probability)));
    for (let i = 1; i < digits.length; i++)
      assert.ok(digits[i].box.x > digits[i - 1].box.x, 'characters come left to right');
  }
});

test('scanned numbers from MNIST test digits read exactly, in input order, in every format', async () => {
  const { dir, truth } = await numbersDir(12, 11);
  const r = await runCli('read', dir, '--model', MODEL, '--format', 'jsonl', '--workers', '2');
  assert.equal(r.code, 0, r.stderr);
  const rows = r.stdout
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { path: string; text: string });
  assert.deepEqual(
    rows.map((x) => x.path),
    [...truth.keys()],
    'one row per picture, sorted like the folder',
  );
  const exact = rows.filter((x) => x.text === truth.get(x.path)).length;
  assert.ok(
    exact >= 11,
    `${exact} of 12 numbers read exactly: ${rows.map((x) => `${x.text}/${truth.get(x.path)}`).join(' ')}`,
  );
  const csv = await runCli('read', dir, '--model', MODEL, '--format', 'csv');
  assert.match(csv.stdout, /^path,text,value,confidence,digits,uncertain,error\n/);
  assert.equal(csv.stdout.trim().split('\n').length, 13);
  const table = await runCli('read', dir, '--model', MODEL);
  assert.equal(table.stdout.trim().split('\n').length, 13);
});

test('--min-confidence marks and counts uncertain rows; --debug-dir writes one picture per file', async () => {
  const { dir } = await numbersDir(3, 12);
  const debug = path.join(tempDir('read-debug'), 'views');
  const sure = await runCli(
    'read',
    dir,
    '--model',
    MODEL,
    '--format',
    'json',
    '--min-confidence',
    '1',
    '--debug-dir',
    debug,
  );
  assert.equal(sure.code, 0, sure.stderr);
  const rows = json(sure.stdout);
  assert.ok(
    rows.every((row) => row.uncertain === true),
    'no reading is surer than 1',
  );
  assert.match(sure.stderr, /3 pictures, 0 failed, 3 uncertain \(confidence < 1\)/);
  const files = readdirSync(debug).sort();
  assert.equal(files.length, 3);
  assert.ok(
    files.every((f) => f.endsWith('.png') && readFileSync(path.join(debug, f)).subarray(1, 4).toString() === 'PNG'),
  );
  const none = await runCli('read', dir, '--model', MODEL, '--format', 'json', '--min-confidence', '0');
  assert.ok(json(none.stdout).every((row) => row.uncertain === false));
  assert.match(
    (await runCli('read', dir, '--min-confidence', '1.5')).stderr,
    /--min-confidence: expected a probability from 0 to 1, got '1.5'/,
  );
});

test('bad pictures get their own error row and the run goes on; the exit code says some failed', async () => {
  const { dir, truth } = await numbersDir(2, 13);
  put(dir, 'blank.png', pngBytes({ width: 64, height: 32, data: new Uint8Array(64 * 32).fill(255) }));
  put(dir, 'junk.png', new TextEncoder().encode('not a picture'));
  const out = path.join(tempDir('read-out'), 'rows.json');
  const r = await runCli('read', dir, '--model', MODEL, '--format', 'json', '--out', out);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /2 of 4 pictures failed; their rows say why/);
  const rows = json(readFileSync(out, 'utf8'));
  assert.equal(rows.length, 4);
  const byName = new Map(rows.map((row) => [path.basename(String(row.path)), row]));
  assert.match(String(byName.get('blank.png')!.error), /no ink found/);
  assert.match(String(byName.get('junk.png')!.error), /not a picture/);
  for (const [file, text] of truth) assert.equal(byName.get(path.basename(file))!.text, text);
  assert.ok(!readdirSync(path.dirname(out)).some((f) => f.includes('.tmp')), 'no temp file left');
});

test('a model that reads arithmetic reads a written sum and gives its exact value', async () => {
  const dir = tempDir('read-sum');
  put(dir, 'sum.png', await sumPicture('12+7='));
  put(dir, 'bad.png', await sumPicture('7+='));
  const r = await runCli('read', dir, '--model', 'models/arithmetic.onnx', '--format', 'json');
  assert.equal(r.code, 0, r.stderr);
  const [bad, sum] = json(r.stdout);
  assert.equal(sum.text, '12+7=');
  assert.deepEqual(sum.value, { fraction: '19', decimal: '19' });
  assert.equal(bad.text, '7+=');
  assert.equal(typeof bad.expression_error, 'string');
  assert.ok(!('value' in bad));
});

/**
 * A dark-on-white picture of `text`: digits are the first MNIST test digits of each label no wider than tall;
 * operators are pen strokes from the training synthesis, drawn smaller than digits and centred on the line.
 */
async function sumPicture(text: string): Promise<Uint8Array> {
  const cell = 28,
    width = cell * text.length + 16,
    height = 44;
  const ink = new Float32Array(width * height);
  const rand = seededRandom(5);
  [...text].forEach((ch, i) => {
    const x0 = 8 + i * cell;
    if (/\d/.test(ch)) {
      const k = firstUpright(Number(ch));
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++)
          ink[(8 + y) * width + x0 + x] = Math.max(
            ink[(8 + y) * width + x0 + x],
            mnist.images[k * 784 + y * 28 + x] / 255,
          );
    } else {
      const op = renderStrokes(operatorStrokes(ch as OperatorSymbol, rand), 12, 4);
      const oy = 8 + 14 - Math.floor(op.height / 2),
        ox = x0 + 14 - Math.floor(op.width / 2);
      for (let y = 0; y < op.height; y++)
        for (let x = 0; x < op.width; x++) {
          const at = (oy + y) * width + ox + x;
          ink[at] = Math.max(ink[at], op.data[y * op.width + x] / 255);
        }
    }
  });
  const gray = Uint8Array.from(ink, (v) => Math.round(255 * (1 - v)));
  const png = await sharp(gray, { raw: { width, height, channels: 1 } })
    .resize(width * 3, height * 3)
    .png()
    .toBuffer();
  return new Uint8Array(png);
}

function firstUpright(label: number): number {
  for (let k = 0; k < mnist.count; k++) {
    if (mnist.labels[k] !== label) continue;
    let x0 = 28,
      x1 = -1,
      y0 = 28,
      y1 = -1;
    for (let y = 0; y < 28; y++)
      for (let x = 0; x < 28; x++)
        if (mnist.images[k * 784 + y * 28 + x] > 64) {
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y);
        }
    if (x1 - x0 <= y1 - y0) return k;
  }
  throw new Error(`no upright ${label} in the test set`);
}
