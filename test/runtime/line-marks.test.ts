// Small marks in a line: a round dot is set aside for every model, a short flat mark (a minus sign written
// small) is kept as a glyph for models that read operators.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findInk } from '../../src/runtime/ink/find.js';
import type { GrayImage } from '../../src/runtime/preprocess.js';
import { findLine } from '../../src/runtime/segment/line.js';
import { blocksPicture } from './helpers/blocks.js';

/** Two upright strokes 60 px tall on white, a short bar 10x4 between them and a round-ish dot 6x6 after them. */
const picture = (): GrayImage =>
  blocksPicture(220, 100, [
    [40, 20, 12, 60],
    [75, 48, 10, 4],
    [110, 20, 12, 60],
    [150, 47, 6, 6],
  ]);

test('a short flat mark is a glyph only when the model reads operators; a dot is set aside either way', () => {
  const found = findInk(picture());
  assert.ok(found.ok);
  assert.equal(found.map.ink.length, 4, 'two strokes, the bar and the dot are all ink');
  const digitsOnly = findLine(found.map);
  const withSigns = findLine(found.map, { flatMarks: true });
  assert.ok(digitsOnly.ok && withSigns.ok);
  assert.equal(digitsOnly.glyphs.length, 2);
  assert.equal(withSigns.glyphs.length, 3);
  assert.deepEqual(
    withSigns.glyphs.map((g) => g.x0 * found.map.scale),
    [40, 75, 110],
  );
});
