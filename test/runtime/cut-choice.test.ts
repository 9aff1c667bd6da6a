// Which cuts of a glyph the line reader reads (segment/split.ts, keptCuts): a glyph wider than any one
// character keeps alternative paths between the same two characters, a narrower one only cuts that stay
// clear of one another; and a span runs only between cuts clear of each other (clearOf).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { READER } from '../../src/runtime/reader-thresholds.js';
import { clearOf, cutColumn, keptCuts, type Cut } from '../../src/runtime/segment/split.js';

/** A cut of a 10-row glyph running from column `top` on the first row to `bottom` on the last. */
const cut = (top: number, bottom: number, cost: number): Cut => ({
  y0: 0,
  last: Int32Array.from({ length: 10 }, (_, i) => Math.round(top + ((bottom - top) * i) / 9)),
  cost,
});

test('a wide glyph keeps crossing paths between the same two characters, not near copies of one', () => {
  const straight = cut(20, 20, 0.1);
  const leaning = cut(14, 26, 0.2); // crosses the straight one
  const copy = cut(21, 22, 0.15); // within 3 columns of the straight one on every row
  const apart = cut(40, 40, 0.3);
  const kept = keptCuts([straight, copy, leaning, apart], 3, true);
  assert.deepEqual(
    kept,
    [leaning, straight, apart].sort((a, b) => cutColumn(a) - cutColumn(b)),
  );
  assert.ok(!clearOf(straight, leaning, 3) && !clearOf(leaning, straight, 3), 'the two alternatives cross');
  assert.ok(clearOf(straight, apart, 3) && clearOf(leaning, apart, 3), 'either reaches the next cut');
});

test('a narrow glyph keeps only the cheapest of crossing paths', () => {
  const straight = cut(20, 20, 0.1);
  const leaning = cut(14, 26, 0.2);
  const apart = cut(40, 40, 0.3);
  assert.deepEqual(keptCuts([straight, leaning, apart], 3, false), [straight, apart]);
});

test('cuts kept are the cheapest, at most the set number, left to right', () => {
  const many = Array.from({ length: 12 }, (_, i) => cut(5 + 10 * i, 5 + 10 * i, (12 - i) / 10));
  const cheapestFirst = [...many].sort((a, b) => a.cost - b.cost);
  for (const wide of [true, false]) {
    const kept = keptCuts(cheapestFirst, 3, wide);
    const most = wide ? READER.maxCutsPerGlyph : READER.maxClearCuts;
    assert.equal(kept.length, most);
    assert.deepEqual(
      kept.map((c) => c.cost),
      many
        .map((c) => c.cost)
        .sort((a, b) => a - b)
        .slice(0, most)
        .sort((a, b) => b - a),
      'the cheapest, and since cost falls to the right here, left to right is dearest first',
    );
    for (let i = 1; i < kept.length; i++) assert.ok(cutColumn(kept[i - 1]) < cutColumn(kept[i]));
  }
});

test('clearOf: a glyph edge is clear of every cut; two cuts must keep the clearance on every row', () => {
  const a = cut(10, 10, 0);
  assert.ok(clearOf(null, a, 3) && clearOf(a, null, 3));
  assert.ok(clearOf(a, cut(13, 13, 0), 3));
  assert.ok(!clearOf(a, cut(13, 12, 0), 3), 'two columns apart on the last row');
  assert.ok(!clearOf(cut(13, 13, 0), a, 3), 'order matters');
});
