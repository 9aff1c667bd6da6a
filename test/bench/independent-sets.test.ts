// The independent evaluation generators are deterministic and write well-formed pictures. (Only that: what they
// draw is for the bench to measure, never for a test to tune against.)
import assert from 'node:assert/strict';
import { test } from 'node:test';
import sharp from 'sharp';
import { readMnist } from '../../src/data/idx.js';
import { expressionFields } from '../../src/runtime/expression.js';
import { pageNumber, PAPERS } from '../../bench/generate-pages/numbers.js';
import { sumPicture, sumText } from '../../bench/generate-sums/sums.js';
import type { GeneratedPicture } from '../../bench/generate/types.js';

const mnist = await readMnist('test');

async function wellFormed(pic: GeneratedPicture, pattern: RegExp): Promise<void> {
  const meta = await sharp(pic.bytes).metadata();
  assert.equal(meta.format, pic.format);
  assert.equal(meta.width, pic.width);
  assert.equal(meta.height, pic.height);
  assert.match(pic.text, pattern);
  assert.equal(pic.boxes.length, pic.text.length);
  for (const b of pic.boxes)
    assert.ok(
      b.width > 0 && b.height > 0 && b.x >= 0 && b.y >= 0 && b.x + b.width <= pic.width && b.y + b.height <= pic.height,
      `${JSON.stringify(b)} in ${pic.width}x${pic.height}`,
    );
  for (let i = 1; i < pic.boxes.length; i++) assert.ok(pic.boxes[i].x > pic.boxes[i - 1].x, 'boxes run left to right');
}

test('pageNumber: the same arguments give the same picture; every paper writes the same number', async () => {
  const texts = new Set<string>();
  for (const paper of PAPERS) {
    const a = await pageNumber(mnist, 11, 2, paper);
    const b = await pageNumber(mnist, 11, 2, paper);
    assert.ok(a.picture.bytes.equals(b.picture.bytes), paper);
    await wellFormed(a.picture, /^[0-9]{2,7}$/);
    assert.equal(a.picture.text, a.digits.map((k) => mnist.labels[k]).join(''));
    texts.add(a.picture.text);
  }
  assert.equal(texts.size, 1);
  const other = await pageNumber(mnist, 12, 2, 'box');
  assert.ok(!other.picture.bytes.equals((await pageNumber(mnist, 11, 2, 'box')).picture.bytes));
  await assert.rejects(pageNumber(mnist, 11, 2, 'napkin' as never), /paper must be one of/);
});

test('sums: 3-25 characters, each a valid expression, pictures deterministic and well-formed', async () => {
  for (let i = 0; i < 200; i++) {
    const text = sumText(5, i);
    assert.ok(text.length >= 3 && text.length <= 25, text);
    const f = expressionFields(text);
    assert.ok(f.value !== undefined || f.expression_error !== undefined, text);
  }
  for (const i of [0, 1, 2]) {
    const a = await sumPicture(mnist, 5, i);
    const b = await sumPicture(mnist, 5, i);
    assert.ok(a.picture.bytes.equals(b.picture.bytes));
    await wellFormed(a.picture, /^-?[0-9]+([-+×÷][0-9]+)+=?$/);
    assert.equal(a.digits.length, a.picture.text.replace(/[^0-9]/g, '').length);
  }
});
