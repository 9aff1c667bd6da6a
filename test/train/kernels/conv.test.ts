import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Stage } from '../../../src/train/step/chain-step.js';
import { assertClose, fromMap, layOutStage, toMap, values, weightOf } from './harness.js';

interface Shape {
  N: number;
  H: number;
  W: number;
  C: number;
  KH: number;
  KW: number;
  Co: number;
  relu: boolean;
}

const convStage = (s: Shape): Stage => ({
  kind: 'conv',
  kernel: weightOf([s.KH, s.KW, s.C, s.Co]),
  bias: weightOf([s.Co]),
  relu: s.relu,
  strides: [1, 1],
  pad: 'valid',
});

/** Plain convolution, valid padding, stride 1: NHWC x, HWIO w -> NHWC z (before any ReLU). */
function convReference(s: Shape, x: Float32Array, w: Float32Array, b: Float32Array): number[] {
  const OH = s.H - s.KH + 1,
    OW = s.W - s.KW + 1;
  const z: number[] = [];
  for (let n = 0; n < s.N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let co = 0; co < s.Co; co++) {
          let sum = b[co];
          for (let kh = 0; kh < s.KH; kh++)
            for (let kw = 0; kw < s.KW; kw++)
              for (let ci = 0; ci < s.C; ci++)
                sum += x[((n * s.H + oh + kh) * s.W + ow + kw) * s.C + ci] * w[((kh * s.KW + kw) * s.C + ci) * s.Co + co];
          z.push(sum);
        }
  return z;
}

/** Gradients of the convolution given the output's gradient dz (NHWC): filter, bias and input. */
function convGradReference(s: Shape, x: Float32Array, w: Float32Array, dz: number[]) {
  const OH = s.H - s.KH + 1,
    OW = s.W - s.KW + 1;
  const dw = new Array<number>(s.KH * s.KW * s.C * s.Co).fill(0);
  const db = new Array<number>(s.Co).fill(0);
  const da = new Array<number>(s.N * s.H * s.W * s.C).fill(0);
  for (let n = 0; n < s.N; n++)
    for (let oh = 0; oh < OH; oh++)
      for (let ow = 0; ow < OW; ow++)
        for (let co = 0; co < s.Co; co++) {
          const g = dz[((n * OH + oh) * OW + ow) * s.Co + co];
          db[co] += g;
          for (let kh = 0; kh < s.KH; kh++)
            for (let kw = 0; kw < s.KW; kw++)
              for (let ci = 0; ci < s.C; ci++) {
                const xi = ((n * s.H + oh + kh) * s.W + ow + kw) * s.C + ci,
                  wi = ((kh * s.KW + kw) * s.C + ci) * s.Co + co;
                dw[wi] += x[xi] * g;
                da[xi] += w[wi] * g;
              }
        }
  return { dw, db, da };
}

// Odd sizes everywhere: output channels that fill no vector group (5), 4 and 6 (the two tilings of the
// filter gradient), rows that are not a multiple of the vector width, and a batch the im2col buffer takes
// in two chunks.
const SHAPES: Array<Shape & { chunked?: boolean }> = [
  { N: 7, H: 11, W: 9, C: 3, KH: 5, KW: 3, Co: 5, relu: true },
  { N: 7, H: 12, W: 14, C: 6, KH: 5, KW: 5, Co: 4, relu: false, chunked: true },
  { N: 3, H: 8, W: 7, C: 2, KH: 3, KW: 2, Co: 6, relu: true },
  { N: 1, H: 5, W: 5, C: 1, KH: 5, KW: 5, Co: 1, relu: false },
];

// Where the convolution sits decides its backward pass: first (no input gradient), before a max-pool (the
// sparse input gradient, the ReLU's gradient left to the pool) or before anything else (the dense one).
const PLACES = ['first', 'before a pool', 'inside'] as const;

for (const s of SHAPES) {
  for (const place of PLACES) {
    const name = `N${s.N} ${s.H}x${s.W}x${s.C} * ${s.KH}x${s.KW}x${s.Co}${s.relu ? ' relu' : ''}`;
    test(`convolution forward and backward against a plain reference: ${name}, ${place}`, () => {
      const conv = convStage(s);
      const chain: Stage[] =
        place === 'first'
          ? [conv, { kind: 'flatten' }]
          : [convStage({ ...s, Co: s.C }), conv, place === 'before a pool' ? poolStage : { kind: 'flatten' }];
      const index = place === 'first' ? 0 : 1;
      const t = layOutStage(chain, index, s.N, { C: s.C, H: s.H, W: s.W });
      const { a, o, fields: f } = t;
      assert.ok(a.kind === 'map' && o.kind === 'map');
      if (s.chunked) assert.ok(f.chunk < s.N, `the batch fits one chunk (${f.chunk}): the test misses the chunking`);
      assert.equal(f.rows !== 0, place === 'before a pool', 'the sparse input gradient where a pool follows');
      const OH = s.H - s.KH + 1,
        OW = s.W - s.KW + 1,
        used = s.N * OH * OW;
      const x = values(s.N * s.H * s.W * s.C, 1),
        w = values(s.KH * s.KW * s.C * s.Co, 2),
        b = values(s.Co, 3);
      t.view(a.at, s.C * a.plane).set(toMap(x, s.N, s.H, s.W, s.C, a.plane));
      t.view(f.w, w.length).set(w);
      t.view(f.b, b.length).set(b);

      t.k.convForward(t.struct);
      const z = convReference(s, x, w, b);
      const act = z.map((v) => (s.relu ? Math.max(0, v) : v));
      assertClose(fromMap(t.view(o.at, s.Co * o.plane), s.N, OH, OW, s.Co, o.plane), act, 'output');

      // The output's gradient: zero in the padding columns past the batch's, as the layout promises.
      const dz = Array.from(values(used * s.Co, 4));
      const dzMap = toMap(dz, s.N, OH, OW, s.Co, o.plane);
      t.view(o.grad, s.Co * o.plane).set(dzMap);
      t.view(a.grad, s.C * a.plane).fill(NaN);
      t.k.convBackward(t.struct);
      // The ReLU's gradient is this stage's unless a pool follows (the pool applies it at the winners).
      const masked = s.relu && place !== 'before a pool' ? dz.map((g, i) => (z[i] > 0 ? g : 0)) : dz;
      const r = convGradReference(s, x, w, masked);
      assertClose(t.view(f.dw, w.length), r.dw, 'filter gradient');
      assertClose(t.view(f.db, s.Co), r.db, 'bias gradient');
      const da = fromMap(t.view(a.grad, s.C * a.plane), s.N, s.H, s.W, s.C, a.plane);
      if (place === 'first') assert.ok(da.every(Number.isNaN), 'the first stage computes no input gradient');
      else assertClose(da, r.da, 'input gradient');
    });
  }
}

const poolStage: Stage = { kind: 'pool', size: [2, 2], strides: [2, 2], pad: 'valid' };
