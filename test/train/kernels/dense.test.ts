import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stage } from '../../../src/train/step/chain-step.js';
import { assertClose, layOutStage, values, weightOf } from './harness.js';

const denseStage = (I: number, O: number, relu: boolean): Stage => ({
  kind: 'dense',
  kernel: weightOf([I, O]),
  bias: weightOf([O]),
  relu,
});

// Batches of 1 to 9 rows (groups of four rows and a tail), outputs that fill vectors of 4 and 16 and leave
// a tail, inputs that leave a tail of the groups of four.
const SHAPES = [
  { N: 5, I: 13, O: 7, relu: true },
  { N: 9, I: 120, O: 84, relu: true },
  { N: 1, I: 3, O: 1, relu: false },
  { N: 4, I: 17, O: 10, relu: false },
];

for (const s of SHAPES) {
  for (const first of [true, false]) {
    test(`dense forward and backward against a plain reference: N${s.N} ${s.I} -> ${s.O}${s.relu ? ' relu' : ''}${first ? ', first' : ''}`, () => {
      const d = denseStage(s.I, s.O, s.relu);
      const chain: Stage[] = first ? [d] : [denseStage(2, s.I, false), d];
      const t = layOutStage(chain, first ? 0 : 1, s.N, { F: s.I });
      const { a, o, fields: f } = t;
      const x = values(s.N * s.I, 21),
        w = values(s.I * s.O, 22),
        b = values(s.O, 23);
      t.view(a.at, x.length).set(x);
      t.view(f.w, w.length).set(w);
      t.view(f.b, b.length).set(b);
      t.k.denseForward(t.struct);
      const z: number[] = [];
      for (let n = 0; n < s.N; n++)
        for (let j = 0; j < s.O; j++) {
          let sum = b[j];
          for (let i = 0; i < s.I; i++) sum += x[n * s.I + i] * w[i * s.O + j];
          z.push(sum);
        }
      assertClose(
        t.view(o.at, s.N * s.O),
        z.map((v) => (s.relu ? Math.max(0, v) : v)),
        'output',
      );

      const dz = values(s.N * s.O, 24);
      t.view(o.grad, dz.length).set(dz);
      t.view(a.grad, x.length).fill(NaN);
      t.k.denseBackward(t.struct);
      const g = Array.from(dz, (v, i) => (s.relu && !(z[i] > 0) ? 0 : v));
      const dw = new Array<number>(s.I * s.O).fill(0),
        db = new Array<number>(s.O).fill(0),
        da = new Array<number>(s.N * s.I).fill(0);
      for (let n = 0; n < s.N; n++)
        for (let j = 0; j < s.O; j++) {
          db[j] += g[n * s.O + j];
          for (let i = 0; i < s.I; i++) {
            dw[i * s.O + j] += x[n * s.I + i] * g[n * s.O + j];
            da[n * s.I + i] += w[i * s.O + j] * g[n * s.O + j];
          }
        }
      assertClose(t.view(f.dw, dw.length), dw, 'filter gradient');
      assertClose(t.view(f.db, db.length), db, 'bias gradient');
      const got = t.view(a.grad, da.length);
      if (first) assert.ok(got.every(Number.isNaN), 'the first stage computes no input gradient');
      else assertClose(got, da, 'input gradient');
    });
  }
}
