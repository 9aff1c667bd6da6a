// A glyph alone in the picture is its own measure of height, so the reader cuts it only into pieces that stand
// nearly its full height: a lone digit with a long tail is far commoner than a lone touching pair. When the
// network reads the glyph whole as "not one character", the glyph is a run of touching characters, and one long
// tail may have set that height: its shorter characters are then allowed, at a cost (READER.aloneShortPiece).
// The network here is a stub that judges a crop by its shape, so the tests check the reader's rule, not a model.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rejectIndex } from '../../src/runtime/contract.js';
import { readModelFile } from '../../src/runtime/node/model-file.js';
import { readLine, type Classifier } from '../../src/runtime/read-line.js';
import { blocksPicture } from './helpers/blocks.js';

const { contract } = await readModelFile('models/lenet5-e20.onnx');
const reject = rejectIndex(contract);
const side = contract.width;

/** Width over height of the ink in a model input (ink is the high end of the range in this contract). */
function inkAspect(input: Float32Array): number {
  const paper = input[0];
  let x0 = side,
    x1 = -1,
    y0 = side,
    y1 = -1;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++)
      if (input[y * side + x] > paper + 0.5) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  return (x1 - x0 + 1) / (y1 - y0 + 1);
}

/**
 * A stub network: a slender crop is surely a `1`; a wide one is surely not one character, or (`wideAsZero`) a
 * doubtful `0` that the network does not reject.
 */
function byShape(wideAsZero = false): Classifier {
  return async (inputs) =>
    inputs.map((x) => {
      const p = new Float32Array(contract.labels.length);
      if (inkAspect(x) < 0.8) p[contract.labels.indexOf('1')] = 0.99;
      else if (wideAsZero) {
        p[contract.labels.indexOf('0')] = 0.01;
        p[reject] = 0.005;
      } else p[reject] = 0.99;
      return p;
    });
}

// Three strokes joined by thin bridges; the last hangs a long tail, so the two others stand 2/3 of the glyph.
const run = blocksPicture(260, 160, [
  [40, 30, 14, 60],
  [54, 58, 46, 4],
  [100, 30, 14, 60],
  [114, 58, 46, 4],
  [160, 30, 14, 90],
]);

test('a lone run of touching characters is read as its characters, though a long tail sets its height', async () => {
  assert.ok(reject >= 0, 'the default model has a "not one character" output');
  const r = await readLine(run, contract, byShape());
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '111');
});

test('a lone glyph the network does not reject whole is not cut into pieces much shorter than it', async () => {
  const r = await readLine(run, contract, byShape(true));
  assert.ok(r.ok, r.ok ? '' : r.message);
  assert.equal(r.text, '0');
});
