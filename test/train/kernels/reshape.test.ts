import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromMap, layOutStage, toMap, values } from './harness.js';

// The two moves between tfjs's NHWC rows and the kernels' channel-major maps: a Flatten (map to rows, and
// its gradient back) and the model's input into the first map. Exact: they only move floats.
const SHAPES = [
  { N: 3, H: 5, W: 7, C: 3, padded: false },
  { N: 2, H: 4, W: 4, C: 16, padded: true },
  { N: 1, H: 1, W: 9, C: 1, padded: false },
];

for (const s of SHAPES) {
  test(`flatten and its gradient move NHWC rows exactly: N${s.N} ${s.H}x${s.W}x${s.C}${s.padded ? ', padded planes' : ''}`, () => {
    const plane = s.N * s.H * s.W + (s.padded ? 8 : 0);
    const t = layOutStage([{ kind: 'flatten' }], 0, s.N, { C: s.C, H: s.H, W: s.W, plane });
    const { a, o } = t;
    assert.ok(a.kind === 'map' && o.kind === 'rows');
    assert.equal(o.F, s.H * s.W * s.C);
    const x = values(s.N * s.H * s.W * s.C, 31);
    t.view(a.at, s.C * plane).set(toMap(x, s.N, s.H, s.W, s.C, plane));
    t.k.flattenForward(t.struct);
    assert.deepEqual(Array.from(t.view(o.at, x.length)), Array.from(x));

    const g = values(x.length, 32);
    t.view(o.grad, g.length).set(g);
    t.view(a.grad, s.C * plane).fill(NaN);
    t.k.flattenBackward(t.struct);
    const back = t.view(a.grad, s.C * plane);
    assert.deepEqual(fromMap(back, s.N, s.H, s.W, s.C, plane), Array.from(g));
    for (let c = 0; c < s.C; c++)
      assert.ok(
        back.subarray(c * plane + s.N * s.H * s.W, (c + 1) * plane).every((v) => v === 0),
        `channel ${c}: the plane's padding is not zero`,
      );
  });
}

test('a Flatten of rows leaves them where they are', () => {
  const t = layOutStage([{ kind: 'flatten' }], 0, 3, { F: 5 });
  assert.equal(t.o, t.a);
  const x = values(15, 33);
  t.view(t.a.at, 15).set(x);
  t.k.flattenForward(t.struct);
  t.k.flattenBackward(t.struct);
  assert.deepEqual(Array.from(t.view(t.a.at, 15)), Array.from(x));
});

test('the model input becomes the first map exactly, its padding zero', () => {
  const [N, H, W, C] = [3, 5, 6, 2];
  const plane = N * H * W + 8;
  const t = layOutStage([{ kind: 'flatten' }], 0, N, { C, H, W, plane });
  const x = values(N * H * W * C, 34);
  t.view(t.input, x.length).set(x);
  t.view(t.a.at, C * plane).fill(NaN);
  t.k.inputForward(t.inputStruct);
  const m = t.view(t.a.at, C * plane);
  assert.deepEqual(fromMap(m, N, H, W, C, plane), Array.from(x));
  for (let c = 0; c < C; c++) assert.ok(m.subarray(c * plane + N * H * W, (c + 1) * plane).every((v) => v === 0));
});
