import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stage } from '../../../src/train/step/chain-step.js';
import { assertClose, fromMap, layOutStage, toMap, values, weightOf } from './harness.js';

const pool: Stage = { kind: 'pool', size: [2, 2], strides: [2, 2], pad: 'valid' };
const conv = (relu: boolean): Stage => ({
  kind: 'conv',
  kernel: weightOf([1, 1, 1, 1]),
  bias: null,
  relu,
  strides: [1, 1],
  pad: 'valid',
});

/**
 * 2x2 max-pool, stride 2, on NHWC x: the maximum of each window and its winner's index in x (the first
 * strictly largest in row-major window order; -1 for a window with none).
 */
function poolReference(x: ArrayLike<number>, N: number, H: number, W: number, C: number) {
  const PH = Math.floor(H / 2),
    PW = Math.floor(W / 2);
  const p: number[] = [],
    win: number[] = [];
  for (let n = 0; n < N; n++)
    for (let ph = 0; ph < PH; ph++)
      for (let pw = 0; pw < PW; pw++)
        for (let c = 0; c < C; c++) {
          let best = -Infinity,
            at = -1;
          for (const [dh, dw] of [
            [0, 0],
            [0, 1],
            [1, 0],
            [1, 1],
          ]) {
            const i = ((n * H + 2 * ph + dh) * W + 2 * pw + dw) * C + c;
            if (x[i] > best) {
              best = x[i];
              at = i;
            }
          }
          p.push(best);
          win.push(at);
        }
  return { p, win, PH, PW };
}

// Odd heights and widths (a last row or column no window covers), widths that fill vectors of four windows
// and leave a tail, planes padded past the batch (a convolution's output), and a ReLU before the pool.
const SHAPES = [
  { N: 5, H: 7, W: 9, C: 3, padded: false, relu: false },
  { N: 3, H: 10, W: 20, C: 2, padded: true, relu: true },
  { N: 1, H: 3, W: 3, C: 1, padded: false, relu: true },
  { N: 2, H: 24, W: 24, C: 6, padded: true, relu: false },
];

for (const s of SHAPES) {
  test(`max-pool forward and backward against a plain reference: N${s.N} ${s.H}x${s.W}x${s.C}${s.padded ? ', padded planes' : ''}${s.relu ? ', after a ReLU' : ''}`, () => {
    const plane = s.padded ? Math.ceil((s.N * s.H * s.W) / 8) * 8 + 8 : s.N * s.H * s.W;
    const t = layOutStage([conv(s.relu), pool, { kind: 'flatten' }], 1, s.N, { C: s.C, H: s.H, W: s.W, plane });
    const { a, o, fields: f } = t;
    assert.ok(a.kind === 'map' && o.kind === 'map');
    assert.equal(f.relu, +s.relu);
    // A ReLU's output is never negative; a plain map has negatives, zeros and ties.
    const x = values(s.N * s.H * s.W * s.C, 11).map((v) => (s.relu ? Math.max(0, v) : v));
    t.view(a.at, s.C * plane).set(toMap(x, s.N, s.H, s.W, s.C, plane));
    t.k.poolForward(t.struct);
    const r = poolReference(x, s.N, s.H, s.W, s.C);
    assert.deepEqual(fromMap(t.view(o.at, s.C * o.plane), s.N, r.PH, r.PW, s.C, o.plane), r.p);

    const dp = values(r.p.length, 12);
    t.view(o.grad, s.C * o.plane).set(toMap(dp, s.N, r.PH, r.PW, s.C, o.plane));
    t.view(a.grad, s.C * plane).fill(NaN);
    t.k.poolBackward(t.struct);
    const dx = new Array<number>(x.length).fill(0);
    r.win.forEach((at, i) => {
      // After a ReLU, a window whose maximum is not positive passes nothing (the ReLU's gradient there).
      if (at >= 0 && !(s.relu && !(r.p[i] > 0))) dx[at] += dp[i];
    });
    assertClose(fromMap(t.view(a.grad, s.C * plane), s.N, s.H, s.W, s.C, plane), dx, 'input gradient');
    // The padding past the batch in each plane is zero too: the convolution before reads it as a gradient.
    for (let c = 0; c < s.C; c++)
      assert.ok(
        t.view(a.grad + 4 * (c * plane + s.N * s.H * s.W), plane - s.N * s.H * s.W).every((v) => v === 0),
        `channel ${c}: the plane's padding is not zero`,
      );
  });
}
