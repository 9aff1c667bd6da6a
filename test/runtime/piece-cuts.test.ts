// Paths between a glyph's pieces (segment/split.ts, pieceCuts): pieces joined because they share columns are
// offered parted again when they stand side by side and a path between them crosses no ink; stacked pieces
// (a ÷'s dots, a lifted bar) and pieces that interleave on a row are not.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findInk, type InkMap } from '../../src/runtime/ink/find.js';
import type { GrayImage } from '../../src/runtime/ink/image.js';
import { glyphOf, joinGlyphs, type Glyph } from '../../src/runtime/segment/glyph.js';
import { READER } from '../../src/runtime/reader-thresholds.js';
import { clearOf, glyphParts, keptCuts, pieceCuts, type Cut } from '../../src/runtime/segment/split.js';

const W = 60,
  H = 48;

/** A white picture with dark ink along each path of points, a pen about 3 pixels wide. */
function picture(paths: Array<Array<[number, number]>>): GrayImage {
  const data = new Uint8Array(W * H).fill(250);
  const dot = (cx: number, cy: number) => {
    for (let y = Math.floor(cy - 2); y <= cy + 2; y++)
      for (let x = Math.floor(cx - 2); x <= cx + 2; x++)
        if (x >= 0 && y >= 0 && x < W && y < H && (x - cx) ** 2 + (y - cy) ** 2 <= 2.25) data[y * W + x] = 10;
  };
  for (const path of paths)
    for (let i = 0; i + 1 < path.length; i++) {
      const [x0, y0] = path[i],
        [x1, y1] = path[i + 1];
      const steps = Math.ceil(4 * Math.hypot(x1 - x0, y1 - y0));
      for (let s = 0; s <= steps; s++) dot(x0 + ((x1 - x0) * s) / steps, y0 + ((y1 - y0) * s) / steps);
    }
  return { width: W, height: H, data };
}

/** A straight stroke from (x0, y0) to (x1, y1). */
const stroke = (x0: number, y0: number, x1: number, y1: number): Array<[number, number]> => [
  [x0, y0],
  [x1, y1],
];

const ring = (cx: number, cy: number, r: number): Array<[number, number]> =>
  Array.from({ length: 41 }, (_, i) => [
    cx + r * Math.cos((i / 40) * 2 * Math.PI),
    cy + r * Math.sin((i / 40) * 2 * Math.PI),
  ]);

/** The ink map of `img` and every ink piece of it as one glyph. */
function allAsOne(img: GrayImage, pieces: number): { map: InkMap; g: Glyph } {
  const found = findInk(img);
  assert.ok(found.ok);
  const { map } = found;
  assert.equal(map.scale, 1);
  assert.equal(map.ink.length, pieces, 'the drawing holds the pieces it was drawn with');
  return { map, g: map.ink.map(glyphOf).reduce(joinGlyphs) };
}

/** The columns of `g` holding ink of `piece` on row `y`. */
function inkColumns(map: InkMap, g: Glyph, y: number, piece: number): number[] {
  const cols: number[] = [];
  for (let x = g.x0; x <= g.x1; x++) if (map.owner[map.labels[y * map.width + x]] === piece) cols.push(x);
  return cols;
}

test('a slanted stroke beside a ring, sharing columns but clear of it on every row, is parted between them', () => {
  const { map, g } = allAsOne(picture([ring(16, 22, 10), stroke(38, 4, 26, 42)]), 2);
  const [left, right] = [...map.ink].sort((a, b) => a.x0 + a.x1 - (b.x0 + b.x1));
  assert.ok(left.x1 >= right.x0, 'the two share columns');
  const cuts = pieceCuts(map, g);
  assert.equal(cuts.length, 1);
  const [c] = cuts;
  assert.ok(c.apart && c.cost === 0);
  assert.equal(c.last.length, g.y1 - g.y0 + 1);
  for (let i = 0; i < c.last.length; i++) {
    const y = g.y0 + i;
    for (const x of inkColumns(map, g, y, left.label)) assert.ok(x <= c.last[i], `row ${y}: the ring stays left`);
    for (const x of inkColumns(map, g, y, right.label)) assert.ok(x > c.last[i], `row ${y}: the stroke goes right`);
  }
});

test('stacked pieces are not parted: a bar with a dot over and under it', () => {
  const dot = (x: number, y: number) => stroke(x - 1, y, x + 1, y);
  const { map, g } = allAsOne(picture([stroke(15, 24, 45, 24), dot(30, 12), dot(30, 36)]), 3);
  assert.deepEqual(pieceCuts(map, g), []);
});

test('pieces that interleave on a row are not parted: a dot inside a ring', () => {
  const { map, g } = allAsOne(picture([ring(30, 24, 14), stroke(29, 24, 31, 24)]), 2);
  assert.deepEqual(pieceCuts(map, g), []);
});

test('a glyph of one piece has no path between pieces', () => {
  const { map, g } = allAsOne(picture([ring(30, 24, 14)]), 1);
  assert.deepEqual(pieceCuts(map, g), []);
});

test('three pieces side by side: two paths that never cross, and every piece a part of its own', () => {
  // a ring, a slanted stroke and another ring, each sharing columns with its neighbour
  const { map, g } = allAsOne(picture([ring(12, 24, 8), stroke(30, 8, 21, 42), ring(40, 24, 8)]), 3);
  const cuts = pieceCuts(map, g);
  assert.equal(cuts.length, 2);
  const [a, b] = cuts;
  assert.ok(clearOf(a, b, 0), 'the second path never runs left of the first');
  // paths between pieces need only keep from crossing, however much room cuts through ink keep apart
  const parts = glyphParts(keptCuts(cuts, 12, false), 12);
  const spans = parts.map((p) => `${p.from}-${p.to}`);
  for (const want of ['0-1', '1-2', '2-3']) assert.ok(spans.includes(want), `part ${want} among ${spans.join(' ')}`);
});

test('keptCuts: a path between pieces never takes a cut through ink out, and stands in for one along it', () => {
  const rows = (col: number): Int32Array => new Int32Array(10).fill(col);
  const ink = (col: number, cost: number): Cut => ({ y0: 0, last: rows(col), cost });
  const many = [10, 20, 30, 40, 50].map((c, i) => ink(c, 0.1 * (i + 1)));
  const between: Cut = { y0: 0, last: rows(25), cost: 0, apart: true };
  const kept = keptCuts([between, ...many], 3, false);
  assert.deepEqual(
    kept.filter((c) => !c.apart),
    many.slice(0, READER.maxClearCuts),
    'the cheapest cuts through ink, as without it',
  );
  assert.ok(kept.includes(between));
  const along: Cut = { y0: 0, last: rows(21), cost: 0, apart: true };
  const replaced = keptCuts([along, ...many], 3, false);
  assert.ok(replaced.includes(along) && !replaced.includes(many[1]), 'the path takes the place of the cut at 20');
  assert.equal(replaced.length, READER.maxClearCuts);
});
