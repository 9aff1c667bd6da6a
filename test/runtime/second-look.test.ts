// A second look at an unsure reading (src/runtime/second-look.ts, predict-input.ts): which readings get one,
// how the views are made from a model input whatever the contract's range and polarity, and how the readings
// are averaged. The networks here are stubs; what the views gain on real digits is measured in the benches.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { InputContract } from '../../src/runtime/contract.js';
import { fitToContract, type InkCrop } from '../../src/runtime/ink/fit.js';
import type { ContractModel } from '../../src/runtime/model.js';
import { readModelFile } from '../../src/runtime/node/model-file.js';
import { lookAgainAtPictures, predictInput } from '../../src/runtime/predict-input.js';
import { SECOND_LOOK } from '../../src/runtime/reader-thresholds.js';
import {
  inputInk,
  isUnsure,
  lookAgain,
  lookAgainAtInputs,
  secondViews,
  SECOND_VIEW_COUNT,
} from '../../src/runtime/second-look.js';

// the default model's contract: ten digits and `none`, 28x28, ink high in 0..1
const { contract: base } = await readModelFile('models/lenet5-e20.onnx');
const labels = base.labels;
/** The same picture size under other ranges and polarities, some of whose backgrounds no float32 holds exactly. */
const dark: InputContract = { ...base, pixelRange: [-1, 255], ink: 'low' };
const others: InputContract[] = [
  dark,
  { ...base, pixelRange: [0.1, 1] },
  { ...base, pixelRange: [0, 0.9], ink: 'low' },
  { ...base, pixelRange: [-0.4242, 2.8215] },
];

/** A 7-ish crop: a bar on top and a stem, strengths 0..1. */
function sevenInk(): InkCrop {
  const w = 12,
    h = 20,
    data = new Float32Array(w * h);
  for (let x = 0; x < w; x++) data[x] = data[w + x] = 1;
  for (let y = 2; y < h; y++) data[y * w + Math.round(w - 2 - (y * (w - 4)) / h)] = 0.8;
  return { box: { x: 3, y: 4, width: w, height: h }, data, peak: 1 };
}

const reading = (best: number, at = 7): Float32Array => {
  const p = new Float32Array(labels.length).fill((1 - best) / (labels.length - 1));
  p[at] = best;
  return p;
};

test('inputInk gives back the same ink from a model input under any range and polarity', () => {
  const ink = sevenInk();
  const a = inputInk(fitToContract(ink, base), base)!;
  for (const c of others) {
    const b = inputInk(fitToContract(ink, c), c)!;
    const name = `${c.ink} ${c.pixelRange.join('..')}`;
    assert.deepEqual(b.box, a.box, name);
    for (let i = 0; i < a.data.length; i++) assert.ok(Math.abs(a.data[i] - b.data[i]) < 1e-5, `${name}: pixel ${i}`);
  }
  assert.ok(a.peak > 0.99 && a.peak <= 1);
  // the box is tight round every inked pixel of the input, and holds the input's own strengths
  const input = fitToContract(ink, base);
  for (let y = 0; y < 28; y++)
    for (let x = 0; x < 28; x++) {
      const inside = x >= a.box.x && x < a.box.x + a.box.width && y >= a.box.y && y < a.box.y + a.box.height;
      const v = input[y * 28 + x];
      if (!inside) assert.equal(v, 0, `pixel ${x},${y} outside the box`);
      else assert.equal(a.data[(y - a.box.y) * a.box.width + x - a.box.x], v);
    }
  for (const edge of [
    a.data.subarray(0, a.box.width),
    a.data.subarray((a.box.height - 1) * a.box.width),
    a.data.filter((_, i) => i % a.box.width === 0),
    a.data.filter((_, i) => i % a.box.width === a.box.width - 1),
  ])
    assert.ok(
      edge.some((v) => v > 0),
      'every edge of the box touches ink',
    );
  for (const c of others) {
    const blank = new Float32Array(28 * 28).fill(c.ink === 'high' ? c.pixelRange[0] : c.pixelRange[1]);
    assert.equal(inputInk(blank, c), null, `a blank input holds no ink (${c.pixelRange.join('..')})`);
  }
});

test('secondViews makes one fitted input per view, different from the input itself', () => {
  const ink = sevenInk();
  const views = secondViews(ink, base);
  assert.equal(views.length, SECOND_VIEW_COUNT);
  assert.equal(SECOND_VIEW_COUNT, SECOND_LOOK.slantViews.length + SECOND_LOOK.widthViews.length);
  const input = fitToContract(ink, base);
  for (const v of views) {
    assert.equal(v.length, 28 * 28);
    assert.ok(
      v.some((x, i) => Math.abs(x - input[i]) > 0.1),
      'a view shows the character otherwise',
    );
  }
});

test('secondViews leaves out a view that would show the ink unchanged', () => {
  // two columns wide: 0.75 of that rounds back to two, so that view would count the reading twice
  const thin: InkCrop = { box: { x: 0, y: 0, width: 2, height: 20 }, data: new Float32Array(40).fill(1), peak: 1 };
  assert.equal(secondViews(thin, base).length, SECOND_VIEW_COUNT - 1);
});

test('isUnsure: below the sure reading and finite only', () => {
  assert.equal(isUnsure(reading(SECOND_LOOK.sureReading - 0.01)), true);
  assert.equal(isUnsure(reading(0.5), 0.5), false, 'a reading at the bar is sure');
  assert.equal(isUnsure(reading(SECOND_LOOK.sureReading + 0.005)), false);
  const broken = reading(0.5);
  broken[3] = NaN;
  assert.equal(isUnsure(broken), false);
});

test('lookAgain reads the unsure in one call, averages each with its own views, and leaves the rest alone', async () => {
  const probs = [reading(0.999), reading(0.6, 1), reading(0.995), reading(0.5, 2), reading(0.3, 4)];
  const copies = probs.map((p) => Float32Array.from(p));
  // each view is a one-value input naming the label its reading puts everything on
  const view = (label: number) => Float32Array.of(label);
  const viewsOf: Record<number, Float32Array[]> = { 1: [view(3), view(5)], 3: [], 4: [view(6), view(8), view(9)] };
  const calls: number[][] = [];
  const read = async (xs: Float32Array[]) => {
    calls.push(xs.map((x) => x[0]));
    return xs.map((x) => reading(1, x[0]));
  };
  const asked: number[] = [];
  const out = await lookAgain(read, probs, (i) => {
    asked.push(i);
    return viewsOf[i];
  });
  assert.deepEqual(asked, [1, 3, 4], 'views asked for the unsure only');
  assert.deepEqual(calls, [[3, 5, 6, 8, 9]], 'one call, views in order, none for a reading without views');
  for (const i of [0, 2, 3]) assert.equal(out[i], probs[i]);
  const mean = (i: number, label: number, hits: number, views: number) => (probs[i][label] + hits) / (views + 1);
  for (const [label, hits] of [
    [1, 0],
    [3, 1],
    [5, 1],
    [7, 0],
  ])
    assert.ok(Math.abs(out[1][label] - mean(1, label, hits, 2)) < 1e-6, `reading 1, label ${label}`);
  for (const [label, hits] of [
    [4, 0],
    [6, 1],
    [8, 1],
    [9, 1],
    [3, 0],
  ])
    assert.ok(Math.abs(out[4][label] - mean(4, label, hits, 3)) < 1e-6, `reading 4, label ${label}`);
  assert.deepEqual(probs, copies, 'the readings passed in are not changed');
  // all sure: no call at all
  const none: number[] = [];
  await lookAgain(
    async (xs) => (none.push(xs.length), xs.map(() => reading(1))),
    [reading(1)],
    () => [new Float32Array(4)],
  );
  assert.deepEqual(none, []);
});

test('lookAgainAtInputs looks again under SECOND_LOOK.surePicture, lookAgain by default under sureReading', async () => {
  assert.ok(SECOND_LOOK.surePicture < SECOND_LOOK.sureReading);
  const between = (SECOND_LOOK.surePicture + SECOND_LOOK.sureReading) / 2;
  const input = fitToContract(sevenInk(), base);
  let calls = 0;
  const read = async (xs: Float32Array[]) => (calls++, xs.map(() => reading(1)));
  await lookAgainAtInputs(read, [input], [reading(between)], base);
  assert.equal(calls, 0, 'a picture read at least surePicture is not looked at again');
  await lookAgain(read, [reading(between)], () => [input]);
  assert.equal(calls, 1, 'a crop read under sureReading is');
  await lookAgainAtInputs(read, [input], [reading(SECOND_LOOK.surePicture - 0.01)], base);
  assert.equal(calls, 2);
});

test('lookAgainAtInputs skips an input with no ink and views the others from their own ink', async () => {
  const input = fitToContract(sevenInk(), base);
  const blank = new Float32Array(28 * 28);
  let seen: Float32Array[] = [];
  const out = await lookAgainAtInputs(
    async (xs) => ((seen = xs), xs.map(() => reading(1))),
    [blank, input],
    [reading(0.4), reading(0.4)],
    base,
  );
  assert.equal(seen.length, SECOND_VIEW_COUNT);
  assert.deepEqual(seen, secondViews(inputInk(input, base)!, base));
  assert.ok(Math.abs(out[0][7] - 0.4) < 1e-6, 'the blank input keeps its reading');
  assert.ok(out[1][7] > 0.8);
});

/** A stub model: the first run reads `first`, later runs `then` for every picture; broken runs give NaN. */
function stubModel(first: Float32Array, then: Float32Array): ContractModel & { runs: number[] } {
  const runs: number[] = [];
  return {
    source: 'stub',
    contract: base,
    runs,
    run: async (_x, n) => {
      runs.push(n);
      const p = runs.length === 1 ? first : then;
      const out = new Float32Array(n * labels.length);
      for (let i = 0; i < n; i++) out.set(p, i * labels.length);
      return out;
    },
  };
}

test('predictInput: one run when sure; when unsure a second run of the views, averaged; a broken second run is ignored', async () => {
  const input = fitToContract(sevenInk(), base);
  const sure = stubModel(reading(0.999, 1), reading(1, 7));
  assert.ok((await predictInput(sure, input))[1] > 0.99);
  assert.deepEqual(sure.runs, [1]);

  const unsure = stubModel(reading(0.6, 1), reading(1, 7));
  const p = await predictInput(unsure, input);
  assert.deepEqual(unsure.runs, [1, SECOND_VIEW_COUNT]);
  assert.ok(Math.abs(p[7] - (reading(0.6, 1)[7] + SECOND_VIEW_COUNT) / (SECOND_VIEW_COUNT + 1)) < 1e-6);

  const broken = stubModel(reading(0.6, 1), new Float32Array(labels.length).fill(NaN));
  const q = await predictInput(broken, input);
  assert.deepEqual(Array.from(q), Array.from(reading(0.6, 1)));
});

test('lookAgainAtPictures: views read back broken for one picture leave that picture its first reading, and the others their second looks', async () => {
  const input = fitToContract(sevenInk(), base);
  const runs: number[] = [];
  // first run: both pictures unsure; second run: the first picture's views NaN, the second's a sure 7
  const model: ContractModel = {
    source: 'stub',
    contract: base,
    run: async (_x, n) => {
      runs.push(n);
      const out = new Float32Array(n * labels.length);
      for (let i = 0; i < n; i++)
        out.set(
          runs.length === 1
            ? reading(0.6, 1)
            : i < SECOND_VIEW_COUNT
              ? new Float32Array(labels.length).fill(NaN)
              : reading(1, 7),
          i * labels.length,
        );
      return out;
    },
  };
  const first = await model.run(new Float32Array(2 * input.length), 2);
  const firsts = [0, 1].map((i) => first.slice(i * labels.length, (i + 1) * labels.length));
  const out = await lookAgainAtPictures(model, [input, input], firsts);
  assert.deepEqual(runs, [2, 2 * SECOND_VIEW_COUNT]);
  assert.deepEqual(Array.from(out[0]), Array.from(reading(0.6, 1)), 'the broken views are not averaged in');
  assert.ok(Math.abs(out[1][7] - (reading(0.6, 1)[7] + SECOND_VIEW_COUNT) / (SECOND_VIEW_COUNT + 1)) < 1e-6);
});
