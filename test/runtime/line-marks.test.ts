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
 * The ink pieces of a picture of `blocks` 100 px tall, and the left edges (source pixels) of the glyphs of its
 * line as a digit model and as a model that reads operators group them.
 */
function lineBothWays(width: number, blocks: Array<[number, number, number, number]>) {
  const picture: GrayImage = blocksPicture(width, 100, blocks);
  const found = findInk(picture);
  assert.ok(found.ok);
  const starts = (smallSigns: boolean): number[] => {
    const r = findLine(found.map, { smallSigns });
    assert.ok(r.ok);
    return r.glyphs.map((g) => g.x0 * found.map.scale);
  };
  return { pieces: found.map.ink.length, digitsOnly: starts(false), withSigns: starts(true) };
}

test('small flat marks and small marks across the middle are glyphs only when the model reads operators; a dot off the middle never', () => {
  // two upright strokes 60 px tall (rows 20-79), a short bar 10x4 between them, then a 6x6 dot near the top of
  // the line and a 6x6 mark across its middle
  const r = lineBothWays(220, [
    [40, 20, 12, 60],
    [75, 48, 10, 4],
    [110, 20, 12, 60],
    [150, 22, 6, 6],
    [180, 47, 6, 6],
  ]);
  assert.equal(r.pieces, 5, 'two strokes, the bar and the two small marks are all ink');
  assert.deepEqual(r.digitsOnly, [40, 110]);
  assert.deepEqual(r.withSigns, [40, 75, 110, 180]);
});

test("a minus tucked under a 7's bar stays a glyph of its own for models that read operators; a ÷ stays whole", () => {
  // a 7 (bar and stem, rows 20-79) whose bar overhangs a minus at the line's middle, then an upright stroke,
  // then a ÷: a bar with a dot above and one below, sharing its columns
  const r = lineBothWays(320, [
    [60, 20, 40, 8],
    [90, 20, 10, 60],
    [45, 48, 30, 5],
    [150, 20, 12, 60],
    [200, 48, 30, 5],
    [211, 34, 8, 8],
    [211, 59, 8, 8],
  ]);
  assert.equal(r.pieces, 6, 'the 7, the minus, the stroke, and the bar and two dots of the ÷');
  assert.deepEqual(r.digitsOnly, [45, 150, 200], 'a digit model joins the minus to the 7');
  assert.deepEqual(r.withSigns, [45, 60, 150, 200], 'the minus apart, the ÷ whole');
});

test('a margin line beside the writing, twice its height and more, is set aside; a long stroke of the writing is not', () => {
  // a double margin too thick to be found as a ruled line (10 px, the picture's full height), then three
  // strokes 60 px tall (rows 70-129), the last with a tail making it 1.5 times their height
  const picture = blocksPicture(260, 200, [
    [10, 0, 10, 200],
    [60, 70, 12, 60],
    [110, 70, 12, 60],
    [160, 70, 12, 90],
  ]);
  const found = findInk(picture);
  assert.ok(found.ok);
  const r = findLine(found.map);
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.deepEqual(
    r.glyphs.map((g) => g.x0 * found.map.scale),
    [60, 110, 160],
  );
  assert.ok(
    r.decisions.some((d) => d.startsWith('ignored 1 margin line at x 10..')),
    r.decisions.join('; '),
  );
});

test('a lone long flat mark is a line to write on for a model that reads digits only, and a minus for one that reads operators', () => {
  const picture = blocksPicture(300, 100, [[40, 60, 220, 4]]);
  const found = findInk(picture);
  assert.ok(found.ok);
  const digits = findLine(found.map);
  assert.ok(!digits.ok);
  assert.match(digits.message, /^no characters found: the picture holds only a line/);
  const signs = findLine(found.map, { smallSigns: true });
  assert.ok(signs.ok);
  assert.equal(signs.glyphs.length, 1);
});

test("a small mark across the line's middle, within a digit's columns but clear of its ink, stays a glyph for models that read operators; one nearly touching it is the digit's piece", () => {
  // an L 60 px tall (its upright at columns 60-65, its foot along rows 74-79 from column 40), a 13x13 + over
  // its foot, 6 px from the upright; then the same L with a 6x6 piece 1 px from its upright (a broken stroke)
  const plus: Array<[number, number, number, number]> = [
    [47, 44, 3, 13],
    [42, 49, 13, 3],
  ];
  const r = lineBothWays(260, [
    [60, 20, 6, 60],
    [40, 74, 26, 6],
    ...plus,
    [180, 20, 6, 60],
    [160, 74, 26, 6],
    [173, 47, 6, 6],
  ]);
  assert.equal(r.pieces, 4, 'two Ls, the + and the small piece');
  assert.deepEqual(r.digitsOnly, [40, 160], 'a digit model joins each small mark to the L whose columns it shares');
  assert.deepEqual(r.withSigns, [40, 42, 160], 'the + stands apart; the piece 1 px from the upright does not');
});
