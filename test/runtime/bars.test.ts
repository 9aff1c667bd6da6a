import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InkCrop } from '../../src/runtime/ink/fit.js';
import { rowShape, stackedBars } from '../../src/runtime/segment/bars.js';

/** A crop `width` wide whose rows carry `rows[y]` ink in every column. */
function crop(width: number, rows: number[]): InkCrop {
  const data = new Float32Array(width * rows.length);
  rows.forEach((v, y) => data.fill(v, y * width, (y + 1) * width));
  return { box: { x: 0, y: 0, width, height: rows.length }, data, peak: Math.max(...rows) };
}

test('stackedBars counts horizontal strokes separated by a nearly empty row', () => {
  assert.equal(stackedBars(crop(20, [40, 200, 220, 180, 30, 20, 190, 230, 60])), 2, 'an = whose bars nearly touch');
  assert.equal(
    stackedBars(crop(20, [40, 200, 220, 180, 150, 120, 190, 230, 60])),
    1,
    'one thick bar with a dip is still one',
  );
  assert.equal(stackedBars(crop(20, [50, 180, 255, 200, 40])), 1, 'a dash');
  assert.equal(stackedBars(crop(20, [0, 0, 0])), 0, 'no ink');
  // An = whose bars touch at one end: the rows between them hold only the joining pixels.
  const joined = crop(20, [0, 200, 200, 0, 0, 200, 200]);
  for (const y of [3, 4]) joined.data[y * 20] = 200;
  assert.equal(stackedBars(joined), 2);
});

test('rowShape counts marks apart in rows as well: a bar with a dot under it is one bar and two marks', () => {
  assert.deepEqual(rowShape(crop(20, [200, 220, 0, 0, 30, 30])), { bars: 1, marks: 2 });
  assert.deepEqual(rowShape(crop(20, [200, 220, 10, 200])), { bars: 2, marks: 1 });
  assert.deepEqual(rowShape(crop(20, [50, 180, 255, 200, 40])), { bars: 1, marks: 1 });
});

test("rowShape: ink at the side of a bar is a neighbour's piece left by a cut, not a ÷'s dot", () => {
  // a bar in rows 4-5 with a short piece over its left end (rows 0-1, columns 0-3) and, apart, over its middle
  const side = crop(20, [0, 0, 0, 0, 200, 200]);
  for (const y of [0, 1]) side.data.fill(180, y * 20, y * 20 + 4);
  assert.deepEqual(rowShape(side), { bars: 1, marks: 1 });
  const dot = crop(20, [0, 0, 0, 0, 200, 200]);
  for (const y of [0, 1]) dot.data.fill(180, y * 20 + 8, y * 20 + 12);
  assert.deepEqual(rowShape(dot), { bars: 1, marks: 2 });
});
