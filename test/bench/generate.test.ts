import { test } from 'node:test';
import assert from 'node:assert/strict';
import sharp from 'sharp';
import { readMnist } from '../../src/data/idx.js';
import { numberPicture } from '../../bench/generate/numbers.js';
import { photoDigit } from '../../bench/generate/photo-digits.js';
import type { GeneratedPicture } from '../../bench/generate/types.js';

const mnist = await readMnist('test');

async function checkPicture(pic: GeneratedPicture): Promise<void> {
  const meta = await sharp(pic.bytes).metadata();
  assert.equal(meta.format, pic.format);
  assert.equal(meta.width, pic.width);
  assert.equal(meta.height, pic.height);
  assert.match(pic.text, /^[0-9]+$/);
  assert.equal(pic.text.length, pic.boxes.length);
  for (const b of pic.boxes) {
    assert.ok(Number.isInteger(b.x) && Number.isInteger(b.y) && b.width > 0 && b.height > 0, JSON.stringify(b));
    assert.ok(
      b.x >= 0 && b.y >= 0 && b.x + b.width <= pic.width && b.y + b.height <= pic.height,
      `${JSON.stringify(b)} outside ${pic.width}x${pic.height}`,
    );
  }
  // Boxes run left to right, as the text reads.
  for (let i = 1; i < pic.boxes.length; i++) assert.ok(pic.boxes[i].x > pic.boxes[i - 1].x);
}

test('photoDigit: same seed and index give the same bytes; another index or seed gives another picture', async () => {
  const a = await photoDigit(mnist, 7, 3);
  const b = await photoDigit(mnist, 7, 3);
  assert.deepEqual(b.bytes, a.bytes);
  assert.deepEqual(b.boxes, a.boxes);
  assert.notDeepEqual((await photoDigit(mnist, 7, 4)).bytes, a.bytes);
  assert.notDeepEqual((await photoDigit(mnist, 8, 3)).bytes, a.bytes);
});

test('photoDigit: one digit, a JPEG, its box inside the picture, digits drawn from across the test set', async () => {
  const labels = new Set<string>();
  for (let i = 0; i < 40; i++) {
    const pic = await photoDigit(mnist, 1, i);
    assert.equal(pic.format, 'jpeg');
    assert.equal(pic.text.length, 1);
    await checkPicture(pic);
    labels.add(pic.text);
  }
  assert.ok(labels.size >= 8, `only labels ${[...labels].join(',')}`);
});

for (const style of ['photo', 'scan'] as const) {
  test(`numberPicture ${style}: deterministic, digit count in range, boxes inside`, async () => {
    const a = await numberPicture(mnist, 5, 11, style);
    assert.deepEqual((await numberPicture(mnist, 5, 11, style)).bytes, a.bytes);
    assert.notDeepEqual((await numberPicture(mnist, 5, 12, style)).bytes, a.bytes);
    const lengths = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const pic = await numberPicture(mnist, 2, i, style);
      assert.equal(pic.format, style === 'photo' ? 'jpeg' : 'png');
      assert.ok(pic.text.length >= 2 && pic.text.length <= 7, pic.text);
      if (style === 'photo') assert.deepEqual([pic.width, pic.height], [640, 480]);
      lengths.add(pic.text.length);
      await checkPicture(pic);
    }
    assert.ok(lengths.size >= 4, `lengths ${[...lengths].join(',')}`);
    for (const [min, max] of [
      [4, 4],
      [1, 3],
      [7, 9],
    ]) {
      const pic = await numberPicture(mnist, 3, 0, style, { minDigits: min, maxDigits: max });
      assert.ok(pic.text.length >= min && pic.text.length <= max, `${pic.text} not ${min}..${max}`);
      await checkPicture(pic);
    }
  });
}

test('numberPicture: both styles of one item show the same number; a bad digit range is refused', async () => {
  for (let i = 0; i < 5; i++) {
    assert.equal((await numberPicture(mnist, 9, i, 'photo')).text, (await numberPicture(mnist, 9, i, 'scan')).text);
  }
  await assert.rejects(numberPicture(mnist, 1, 0, 'scan', { minDigits: 5, maxDigits: 3 }), RangeError);
  await assert.rejects(numberPicture(mnist, 1, 0, 'scan', { minDigits: 0 }), RangeError);
});

test('numberPicture: some numbers have a touching pair, whose boxes overlap', async () => {
  let touching = 0;
  for (let i = 0; i < 200; i++) {
    const { boxes } = await numberPicture(mnist, 4, i, 'scan');
    if (boxes.some((b, j) => j > 0 && b.x <= boxes[j - 1].x + boxes[j - 1].width - 1)) touching++;
  }
  assert.ok(touching >= 8 && touching <= 40, `${touching} of 200`);
});
