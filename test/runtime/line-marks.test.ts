// Small marks in a line: a dot above the line's middle is set aside for every model; a short flat mark (a
// minus sign written small) and a small mark across the line's middle (a + or ÷ written small) are kept as
// glyphs for models that read operators.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findInk } from '../../src/runtime/ink/find.js';
import type { GrayImage } from '../../src/runtime/preprocess.js';
import { findLine } from '../../src/runtime/segment/line.js';
import { blocksPicture } from './helpers/blocks.js';

/**
 * Two upright strokes 60 px tall on white (rows 20-79), a short bar 10x4 between them, then a 6x6 dot near the
 * top of the line and a 6x6 mark across its middle.
 */
const picture = (): GrayImage =>
  blocksPicture(220, 100, [
    [40, 20, 12, 60],
    [75, 48, 10, 4],
    [110, 20, 12, 60],
    [150, 22, 6, 6],
    [180, 47, 6, 6],
  ]);

test('small flat marks and small marks across the middle are glyphs only when the model reads operators; a dot off the middle never', () => {
  const found = findInk(picture());
  assert.ok(found.ok);
  assert.equal(found.map.ink.length, 5, 'two strokes, the bar and the two small marks are all ink');
  const digitsOnly = findLine(found.map);
  const withSigns = findLine(found.map, { smallSigns: true });
  assert.ok(digitsOnly.ok && withSigns.ok);
  assert.equal(digitsOnly.glyphs.length, 2);
  assert.equal(withSigns.glyphs.length, 4);
  assert.deepEqual(
    withSigns.glyphs.map((g) => g.x0 * found.map.scale),
    [40, 75, 110, 180],
  );
});

test("a minus tucked under a 7's bar stays a glyph of its own for models that read operators; a ÷ stays whole", () => {
  // a 7 (bar and stem, rows 20-79) whose bar overhangs a minus at the line's middle, then an upright stroke,
  // then a ÷: a bar with a dot above and one below, sharing its columns
  const found = findInk(
    blocksPicture(320, 100, [
      [60, 20, 40, 8],
      [90, 20, 10, 60],
      [45, 48, 30, 5],
      [150, 20, 12, 60],
      [200, 48, 30, 5],
      [211, 34, 8, 8],
      [211, 59, 8, 8],
    ]),
  );
  assert.ok(found.ok);
  assert.equal(found.map.ink.length, 6, 'the 7, the minus, the stroke, and the bar and two dots of the ÷');
  const digitsOnly = findLine(found.map);
  const withSigns = findLine(found.map, { smallSigns: true });
  assert.ok(digitsOnly.ok && withSigns.ok);
  const starts = (r: typeof withSigns) => (r.ok ? r.glyphs.map((g) => g.x0 * found.map.scale) : []);
  assert.deepEqual(starts(digitsOnly), [45, 150, 200], 'a digit model joins the minus to the 7');
  assert.deepEqual(starts(withSigns), [45, 60, 150, 200], 'the minus apart, the ÷ whole');
});
