import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readMnist } from '../../src/data/idx.js';
import { contractFromMetadata, contractToMetadata, ContractError, rejectIndex } from '../../src/runtime/contract.js';
import { rankedRow } from '../../src/runtime/node/predict.js';
import { head } from '../../src/train/data/dataset.js';
import { elastic, penWidth, styledDigit } from '../../src/train/data/digit-styles.js';
import { fitCleanPicture } from '../../src/train/data/fit-picture.js';
import { canvasPicture } from '../../src/train/data/ink-canvas.js';
import { inkBox } from '../../src/train/data/ink-box.js';
import { digitWithSign, notCharacterPicture, SIGN_SHARE } from '../../src/train/data/not-character.js';
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

test('a digit with a sign stuck to it: the digit whole, a sign on one side, touching or nearly, near its middle', async () => {
  const digits = await digitsPromise;
  let drawn = 0;
  for (let i = 0; i < 60; i++) {
    // One digit at a time, so its own ink box is known.
    const digit = digits.x.slice(i * 784, (i + 1) * 784);
    const one = { x: digit, y: digits.y.slice(i, i + 1), count: 1, rows: 28, cols: 28 };
    const drawnPair = digitWithSign(one, seededRandom(operatorSeed(2, 0, i)));
    if (!drawnPair) continue;
    drawn++;
    const { canvas: c, digitAt } = drawnPair;
    const own = inkBox(digit, 28, 28)!;
    const ownX0 = own.x0 + digitAt.x,
      ownX1 = own.x1 + digitAt.x;
    // The digit whole: its pixels are all there (the sign only adds ink).
    for (let y = 0; y < 28; y++)
      for (let col = 0; col < 28; col++)
        assert.ok(c.ink[(y + digitAt.y) * c.width + col + digitAt.x] >= digit[y * 28 + col] - 1e-6);
    const all = inkBox(c.ink, c.height, c.width)!;
    const left = ownX0 - all.x0,
      right = all.x1 - ownX1;
    assert.ok(Math.max(left, right) >= 2, `picture ${i}: a sign beyond the digit's columns`);
    assert.ok(Math.min(left, right) <= 1, `picture ${i}: the sign on one side only`);
    // The sign's ink: columns beyond the digit's box. No empty column between it and the box, and its middle
    // row within a quarter of the digit's height (and the pen's reach) of the digit's.
    const [from, to] = left > right ? [all.x0, ownX0 - 1] : [ownX1 + 1, all.x1];
    let gaps = 0,
      mass = 0,
      rows = 0;
    for (let col = from; col <= to; col++) {
      let m = 0;
      for (let y = 0; y < c.height; y++) {
        const v = c.ink[y * c.width + col];
        m += v;
        rows += v * y;
      }
      if (m < 0.05) gaps++;
      mass += m;
    }
    assert.ok(gaps <= 1, `picture ${i}: ${gaps} empty columns between the digit and its sign`);
    const unit = own.y1 - own.y0 + 1;
    const digitMiddle = digitAt.y + (own.y0 + own.y1) / 2;
    assert.ok(
      Math.abs(rows / mass - digitMiddle) <= 0.25 * unit + 3,
      `picture ${i}: the sign's middle row ${(rows / mass).toFixed(1)}, the digit's ${digitMiddle}`,
    );
  }
  assert.ok(drawn >= 50, `most draws give a picture (${drawn} of 60)`);

  // Replayed draw by draw: for a model that reads operators, SIGN_SHARE (about half) of the pictures are such pairs.
  const arithmetic = contractFor(LABEL_SETS.arithmetic.labels, LABEL_SETS.arithmetic.rejectLabel);
  let pairs = 0;
  const n = 200;
  for (let i = 0; i < n; i++) {
    const picture = notCharacterPicture(digits, seededRandom(operatorSeed(3, 0, i)), arithmetic, {
      readsOperators: true,
    });
    const replay = seededRandom(operatorSeed(3, 0, i));
    replay(); // the kind of picture
    if (replay() >= SIGN_SHARE) continue;
    const pair = digitWithSign(digits, replay);
    if (!pair) continue;
    assert.deepEqual(picture, fitCleanPicture(canvasPicture(pair.canvas), arithmetic), `picture ${i}`);
    pairs++;
  }
  assert.ok(pairs > 0.35 * n && pairs < 0.65 * n, `${pairs} of ${n} first draws are digits with a sign`);
});
