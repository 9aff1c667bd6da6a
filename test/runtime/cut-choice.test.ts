// Which cuts of a glyph the line reader reads (segment/split.ts, keptCuts): a glyph wider than any one
// character keeps alternative paths between the same two characters besides the cuts a narrower one keeps,
// which stay clear of one another; and a part read as one character runs only between boundaries clear of
// each other (glyphParts), so no reading takes two cuts that cross.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { READER } from '../../src/runtime/reader-thresholds.js';
import { seededRandom } from '../../src/train/data/rng.js';
import { clearOf, cutColumn, keptCuts, glyphParts, type Cut } from '../../src/runtime/segment/split.js';

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

test('a wide glyph keeps every cut a narrow one would, its alternatives on top', () => {
  // Three meeting points; the two dearer paths at the first two crowd out none of the clear cuts.
  const cuts = [
    cut(20, 20, 0.1),
    cut(16, 24, 0.2),
    cut(24, 16, 0.3),
    cut(40, 40, 0.4),
    cut(36, 44, 0.5),
    cut(44, 36, 0.6),
    cut(60, 60, 0.7),
  ];
  const narrow = keptCuts(cuts, 3, false);
  assert.deepEqual(
    narrow.map((c) => c.cost),
    [0.1, 0.4, 0.7],
  );
  const wide = keptCuts(cuts, 3, true);
  assert.equal(wide.length, READER.maxCutsPerGlyph);
  for (const c of narrow) assert.ok(wide.includes(c), `the clear cut at ${cutColumn(c)} is kept`);
});

test('glyphParts: parts run left to right between boundaries clear of each other, never across two crossing cuts', () => {
  const straight = cut(20, 20, 0.1);
  const leaning = cut(14, 26, 0.2);
  const apart = cut(40, 40, 0.3);
  const cuts = keptCuts([straight, leaning, apart], 3, true);
  const i = (c: Cut) => cuts.indexOf(c) + 1;
  const pairs = glyphParts(cuts, 3).map((p) => `${p.from}-${p.to}`);
  assert.ok(pairs.includes(`0-${cuts.length + 1}`), 'the glyph whole');
  assert.ok(!pairs.includes(`${Math.min(i(straight), i(leaning))}-${Math.max(i(straight), i(leaning))}`));
  for (const c of [straight, leaning])
    assert.ok(pairs.includes(`0-${i(c)}`) && pairs.includes(`${i(c)}-${i(apart)}`), 'each alternative on a path');

  // Random cuts: every part is ordered and clear, and every boundary lies on some path from edge to edge.
  const rand = seededRandom(5);
  for (let round = 0; round < 200; round++) {
    const random = Array.from({ length: 12 }, () => {
      const top = Math.floor(rand() * 80);
      return cut(top, Math.max(0, top + Math.floor(rand() * 21) - 10), rand());
    }).sort((a, b) => a.cost - b.cost);
    const kept = keptCuts(random, 4, rand() < 0.5);
    const ends = [null, ...kept, null];
    const parts = glyphParts(kept, 4);
    for (const p of parts) {
      assert.ok(p.from < p.to);
      assert.equal(p.left, ends[p.from], 'the left boundary is the one indexed');
      assert.equal(p.right, ends[p.to], 'the right boundary is the one indexed');
      assert.ok(clearOf(p.left, p.right, 4));
    }
    for (let k = 1; k <= kept.length; k++)
      assert.ok(
        parts.some((p) => p.from === 0 && p.to === k) && parts.some((p) => p.from === k && p.to === kept.length + 1),
        'a cut reaches both edges of the glyph',
      );
  }
});
