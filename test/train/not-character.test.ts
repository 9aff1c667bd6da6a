import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMnist } from '../../src/data/idx.js';
import { contractFromMetadata, contractToMetadata, ContractError, rejectIndex } from '../../src/runtime/contract.js';
import { rankedRow } from '../../src/runtime/node/predict.js';
import { head } from '../../src/train/data/dataset.js';
import { inkBox } from '../../src/train/data/ink-box.js';
import { elastic, penWidth, styledDigit } from '../../src/train/data/digit-styles.js';
import { digitWithSign, notCharacterPicture } from '../../src/train/data/not-character.js';
import { operatorSeed } from '../../src/train/data/operator-strokes.js';
import { seededRandom } from '../../src/train/data/rng.js';
import { SYMBOL_STREAMS, withSymbols } from '../../src/train/data/symbols.js';
import { contractFor, LABEL_SETS, NOT_A_CHARACTER } from '../../src/train/models/label-sets.js';

const READING = contractFor(LABEL_SETS.reading.labels, LABEL_SETS.reading.rejectLabel);
const digitsPromise = readMnist('train').then((d) => head(d, 300));

const mass = (x: Float32Array): number => x.reduce((a, b) => a + b, 0);

test('the contract records the "not one character" label, and refuses one that is not among the labels', () => {
  const meta = contractToMetadata(READING);
  assert.equal(meta['contract.reject_label'], NOT_A_CHARACTER);
  const back = contractFromMetadata(meta);
  assert.equal(back.rejectLabel, NOT_A_CHARACTER);
  assert.equal(rejectIndex(back), 10);
  const digitsOnly = contractFromMetadata(contractToMetadata(contractFor(LABEL_SETS.digits.labels)));
  assert.equal(digitsOnly.rejectLabel, undefined);
  assert.equal(rejectIndex(digitsOnly), -1);
  assert.throws(
    () => contractFromMetadata({ ...meta, 'contract.reject_label': 'blot' }),
    (e: unknown) => e instanceof ContractError && /reject_label': 'blot' is not one of the labels/.test(e.message),
  );
});

test('predict answers among the other labels and reports the "not one character" probability apart', () => {
  const probs = Float32Array.from([0.05, 0.3, 0, 0, 0, 0, 0, 0, 0, 0.05, 0.6]);
  const row = rankedRow('x.png', probs, READING.labels, 3, rejectIndex(READING));
  assert.equal(row.digit, '1');
  assert.ok(Math.abs(row.notCharacter! - 0.6) < 1e-6);
  assert.ok(row.topK.every((t) => t.label !== NOT_A_CHARACTER));
  const plain = rankedRow('x.png', probs, READING.labels, 3);
  assert.equal(plain.digit, NOT_A_CHARACTER, 'without the index every output competes');
  assert.equal(plain.notCharacter, null);
});

test('not-a-character pictures: a function of their seed, fitted like MNIST, and varied', async () => {
  const digits = await digitsPromise;
  const pictures = Array.from({ length: 40 }, (_, i) =>
    notCharacterPicture(digits, seededRandom(operatorSeed(1, 0, i)), READING, { readsOperators: false }),
  );
  assert.deepEqual(
    notCharacterPicture(digits, seededRandom(operatorSeed(1, 0, 3)), READING, { readsOperators: false }),
    pictures[3],
  );
  for (const p of pictures) {
    assert.equal(p.length, 784);
    for (let i = 0; i < 28; i++) assert.equal(p[i], 0, 'the top row is background');
    assert.ok(mass(p) > 5, 'some ink');
  }
  assert.ok(new Set(pictures.map((p) => mass(p).toFixed(3))).size >= 38, 'no two alike');
});

test('digit styles: elastic deformation keeps the ink, a wider pen adds ink and a narrower one takes it away', async () => {
  const digits = await digitsPromise;
  const d = digits.x.subarray(0, 784);
  const warped = elastic(d, 28, 28, seededRandom(4), 1.5);
  assert.notDeepEqual(warped, d);
  assert.ok(Math.abs(mass(warped) - mass(d)) < 0.25 * mass(d));
  assert.ok(mass(penWidth(d, 28, 28, 1)) > 1.3 * mass(d));
  assert.ok(mass(penWidth(d, 28, 28, -0.5)) < 0.8 * mass(d));
  const a = styledDigit(d, 28, 28, digits.y[0], seededRandom(8), READING);
  assert.deepEqual(a, styledDigit(d, 28, 28, digits.y[0], seededRandom(8), READING), 'reproducible');
});

test('withSymbols: "not one character" pictures cut from the given digits, then styled digits keeping their labels', async () => {
  const digits = await digitsPromise;
  const o = {
    contract: READING,
    symbols: [NOT_A_CHARACTER],
    perSymbol: 5,
    seed: 3,
    stream: SYMBOL_STREAMS.train,
    digits,
  };
  const s = withSymbols(digits, o, 20);
  assert.equal(s.count, digits.count + 25);
  assert.deepEqual([...s.y.subarray(digits.count, digits.count + 5)], [10, 10, 10, 10, 10]);
  const styled = [...s.y.subarray(digits.count + 5)];
  assert.ok(styled.every((l) => l < 10));
  assert.ok(new Set(styled).size >= 5, 'styled digits of many classes');
  assert.throws(() => withSymbols(digits, { ...o, digits: undefined }), /cut from digits, and none were given/);
});

test('a digit with a sign stuck to it: the digit whole, and a sign against its side, touching or nearly', async () => {
  const digits = await digitsPromise;
  let drawn = 0;
  for (let i = 0; i < 60; i++) {
    // One digit at a time, so its place on the canvas is known: pasted at (28, 14).
    const x = digits.x.slice(i * 784, (i + 1) * 784);
    const one = { x, y: digits.y.slice(i, i + 1), count: 1, rows: 28, cols: 28 };
    const c = digitWithSign(one, seededRandom(operatorSeed(2, 0, i)));
    if (!c) continue;
    drawn++;
    const own = inkBox(x, 28, 28)!;
    const column = (x: number): number => {
      let m = 0;
      for (let y = 0; y < c.height; y++) m += c.ink[y * c.width + x];
      return m;
    };
    const all = inkBox(c.ink, c.height, c.width)!;
    const left = own.x0 + 28 - all.x0,
      right = all.x1 - (own.x1 + 28);
    assert.ok(Math.max(left, right) >= 2, `picture ${i}: a sign beyond the digit's columns`);
    assert.ok(Math.min(left, right) <= 1, `picture ${i}: the sign on one side only`);
    // No empty column between the digit's ink box and the sign's ink: the two touch or nearly.
    let gaps = 0;
    for (let x = all.x0; x <= all.x1; x++) if ((x < own.x0 + 28 || x > own.x1 + 28) && column(x) < 0.05) gaps++;
    assert.ok(gaps <= 1, `picture ${i}: ${gaps} empty columns between the digit and its sign`);
  }
  assert.ok(drawn >= 50, `most draws give a picture (${drawn} of 60)`);
  const arithmetic = contractFor(LABEL_SETS.arithmetic.labels, LABEL_SETS.arithmetic.rejectLabel);
  const draw = (readsOperators: boolean): Float32Array[] =>
    Array.from({ length: 20 }, (_, i) =>
      notCharacterPicture(digits, seededRandom(operatorSeed(3, 0, i)), arithmetic, { readsOperators }),
    );
  const withSigns = draw(true),
    without = draw(false);
  assert.ok(
    withSigns.some((p, i) => mass(p) !== mass(without[i])),
    'a model that reads operators is taught other pictures',
  );
});
