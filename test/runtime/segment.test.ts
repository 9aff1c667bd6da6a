import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { readMnist } from '../../src/data/idx.js';
import { loadDigitModel } from '../../src/runtime/node/session.js';
import { preprocess, type GrayImage, type PixelBox } from '../../src/runtime/preprocess.js';
import { readLine, type ReadLineResult } from '../../src/runtime/read-line.js';
import { findInk } from '../../src/runtime/ink/find.js';
import { countCharacters, countCharactersIn } from '../../src/runtime/segment/count.js';
import { findLine } from '../../src/runtime/segment/line.js';
import { testOnnxPath } from './helpers/files.js';
import { scaleUp } from './helpers/transforms.js';

const mnist = await readMnist('test');
const model = await loadDigitModel(testOnnxPath());
const CONTRACT = model.contract;
after(() => model.close());
const digit = (k: number): GrayImage => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });
const SIZE = CONTRACT.height * CONTRACT.width;

async function classify(inputs: Float32Array[]): Promise<Float32Array[]> {
  const batch = new Float32Array(inputs.length * SIZE);
  inputs.forEach((x, i) => batch.set(x, i * SIZE));
  const out = await model.run(batch, inputs.length);
  const n = CONTRACT.labels.length;
  return inputs.map((_, i) => out.slice(i * n, (i + 1) * n));
}

/** The `nth` MNIST test digit of `label` that the model reads right with confidence on its own. */
const picked = new Map<string, number>();
async function pick(label: number, nth = 0): Promise<number> {
  const key = `${label}/${nth}`;
  if (picked.has(key)) return picked.get(key)!;
  let seen = 0;
  for (let k = 0; k < mnist.count; k++) {
    if (mnist.labels[k] !== label) continue;
    const r = preprocess(digit(k), CONTRACT);
    if (!r.ok) continue;
    const [p] = await classify([r.input]);
    if (p[label] > 0.95 && seen++ === nth) {
      picked.set(key, k);
      return k;
    }
  }
  throw new Error(`no digit ${label}`);
}

/** Columns and rows of a white-on-black picture that carry ink (>= 0.2 coverage). */
function inkBox(img: GrayImage): PixelBox {
  let x0 = img.width,
    y0 = img.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < img.height; y++)
    for (let x = 0; x < img.width; x++) {
      if (img.data[y * img.width + x] >= 51) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

interface Mark {
  img: GrayImage;
  x: number;
  y: number;
}

/**
 * Dark ink on a tinted sheet lit by a left-to-right gradient, with noise: the white-on-black `marks` are laid
 * at (x, y) of their top-left pixel, overlapping ink keeping the darker.
 */
function photo(w: number, h: number, marks: Mark[], seed = 1): GrayImage {
  const cover = new Float32Array(w * h);
  for (const { img, x, y } of marks) {
    for (let r = 0; r < img.height; r++)
      for (let c = 0; c < img.width; c++) {
        const yy = y + r,
          xx = x + c;
        if (yy < 0 || xx < 0 || yy >= h || xx >= w) continue;
        cover[yy * w + xx] = Math.max(cover[yy * w + xx], img.data[r * img.width + c] / 255);
      }
  }
  let s = seed >>> 0 || 1;
  const u = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++) {
      const i = y * w + x;
      const paper = 200 * (1 + 0.1 * ((2 * x) / w - 1));
      data[i] = Math.max(
        0,
        Math.min(255, Math.round(paper - (paper - 35) * cover[i] + 3 * (u() + u() + u() - 1.5) * 2)),
      );
    }
  return { width: w, height: h, data };
}

/** Digits written left to right, their ink boxes `gap` pixels apart (negative: overlapping), scaled `f` times. */
function writeLine(
  ks: number[],
  f: number,
  gap: number,
  x = 30,
  y = 30,
): { marks: Mark[]; boxes: PixelBox[]; right: number } {
  const marks: Mark[] = [];
  const boxes: PixelBox[] = [];
  let cursor = x;
  for (const k of ks) {
    const img = scaleUp(digit(k), f);
    const b = inkBox(img);
    marks.push({ img, x: cursor - b.x, y: (y - b.y + (28 * f - b.height) / 2) | 0 });
    boxes.push({ x: cursor, y: marks[marks.length - 1].y + b.y, width: b.width, height: b.height });
    cursor += b.width + gap;
  }
  return { marks, boxes, right: cursor - gap };
}

function ok(r: ReadLineResult): asserts r is Extract<ReadLineResult, { ok: true }> {
  assert.ok(r.ok, `refused: ${!r.ok && r.message}`);
}

test('a 4-digit number of MNIST test digits on a photographed sheet reads as the right text', async () => {
  const labels = [2, 0, 2, 6];
  const ks = await Promise.all(labels.map((l, i) => pick(l, i)));
  const line = writeLine(ks, 3, 14);
  const r = await readLine(photo(line.right + 40, 150, line.marks), CONTRACT, classify);
  ok(r);
  assert.equal(r.text, '2026', r.decisions.join('; '));
  assert.equal(r.digits.length, 4);
  assert.equal(r.digits[0].input?.length, SIZE);
  assert.equal(r.digits[0].probabilities?.length, CONTRACT.labels.length);
  assert.ok(r.confidence > 0.5 && r.confidence === Math.min(...r.digits.map((d) => d.probability)));
  r.digits.forEach((d, i) => {
    const t = line.boxes[i];
    const err = Math.max(
      Math.abs(d.box.x - t.x),
      Math.abs(d.box.y - t.y),
      Math.abs(d.box.x + d.box.width - t.x - t.width),
      Math.abs(d.box.y + d.box.height - t.y - t.height),
    );
    assert.ok(err <= 4, `digit ${i}: box ${JSON.stringify(d.box)} vs true ${JSON.stringify(t)}`);
    assert.equal(d.edge, false);
  });
});

test('a digit broken in two is read as one (the pieces are joined)', async () => {
  const zero = scaleUp(digit(await pick(0, 1)), 3);
  // Break the 0 down the middle: a 2-pixel blank column splits it into a left and a right arc.
  const b = inkBox(zero);
  const mid = b.x + (b.width >> 1);
  const broken = Uint8Array.from(zero.data);
  for (let y = 0; y < zero.height; y++) for (let x = mid; x < mid + 2; x++) broken[y * zero.width + x] = 0;
  const brokenZero = { width: zero.width, height: zero.height, data: broken };
  const three = scaleUp(digit(await pick(3)), 3);
  const seven = scaleUp(digit(await pick(7)), 3);
  const marks = [
    { img: three, x: 10, y: 20 },
    { img: brokenZero, x: 80, y: 20 },
    { img: seven, x: 150, y: 20 },
  ];
  const img = photo(260, 130, marks, 3);
  const found = findInk(img);
  assert.ok(found.ok && found.map.ink.length === 4, 'the broken 0 is two pieces of ink');
  const r = await readLine(img, CONTRACT, classify);
  ok(r);
  assert.equal(r.text, '307', r.decisions.join('; '));
  assert.ok(
    r.decisions.some((d) => /joined/.test(d)),
    r.decisions.join('; '),
  );
});

test('two touching digits are cut apart', async () => {
  const ks = [await pick(4), await pick(7, 2)];
  const line = writeLine(ks, 3, -2);
  const img = photo(line.right + 40, 150, line.marks, 5);
  const found = findInk(img);
  assert.ok(found.ok && found.map.ink.length === 1, 'the pair is one piece of ink');
  const r = await readLine(img, CONTRACT, classify);
  ok(r);
  assert.equal(r.text, '47', r.decisions.join('; '));
  assert.ok(
    r.decisions.some((d) => /^cut /.test(d)),
    r.decisions.join('; '),
  );
});

test('dots and an underline are ignored', async () => {
  const line = writeLine([await pick(5), await pick(1)], 3, 40);
  const dot = { width: 8, height: 8, data: new Uint8Array(64).fill(255) };
  const rule = { width: line.right - 30 + 20, height: 5, data: new Uint8Array((line.right - 10) * 5).fill(255) };
  const marks = [
    ...line.marks,
    { img: dot, x: line.boxes[0].x + line.boxes[0].width + 16, y: line.boxes[0].y + line.boxes[0].height - 8 },
    { img: rule, x: 20, y: line.boxes[0].y + line.boxes[0].height + 12 },
  ];
  const pic = photo(line.right + 40, 160, marks, 7);
  const r = await readLine(pic, CONTRACT, classify);
  ok(r);
  assert.equal(r.text, '51', r.decisions.join('; '));
  // the underline is taken out with the lines of the sheet before the line is read (ink/rules.ts)
  const found = findInk(pic);
  assert.ok(found.ok && found.map.rules.length === 1 && found.map.rules[0].orientation === 'horizontal');
  assert.ok(
    r.decisions.some((d) => /dot/.test(d)),
    r.decisions.join('; '),
  );
});

test('several lines and blank pictures are refused in one line each; a line of 40 characters is read', async () => {
  const ks = await Promise.all([1, 2, 3, 4].map((l) => pick(l)));
  const top = writeLine(ks, 2, 12, 20, 20),
    bottom = writeLine(ks, 2, 12, 20, 110);
  const two = await readLine(photo(top.right + 30, 190, [...top.marks, ...bottom.marks], 11), CONTRACT, classify);
  assert.equal(two.ok, false);
  if (!two.ok) {
    assert.equal(two.reason, 'not-one-line');
    assert.match(two.message, /^not one line: found 2 lines/);
  }
  // A line holds as many characters as the picture allows: no count is refused.
  const far = writeLine([...ks, ...ks, ...ks, ...ks, ...ks, ...ks, ...ks, ...ks, ...ks, ...ks], 2, 10, 10, 20);
  const long = await readLine(photo(far.right + 20, 100, far.marks, 12), CONTRACT, classify);
  assert.ok(long.ok, !long.ok ? long.message : '');
  if (long.ok) assert.equal(long.digits.length, 40, long.text);
  const blank = await readLine(photo(200, 100, [], 13), CONTRACT, classify);
  assert.equal(blank.ok, false);
  if (!blank.ok) assert.equal(blank.reason, 'no-ink');
  for (const r of [two, blank]) if (!r.ok) assert.doesNotMatch(r.message, /\n/);
});

test('countCharacters: well separated digits are counted without the network', async () => {
  const line = writeLine(await Promise.all([3, 8, 5].map((l) => pick(l))), 2, 20);
  const found = findInk(photo(line.right + 30, 100, line.marks, 17));
  assert.ok(found.ok);
  assert.equal(countCharacters(found.map), 3);
  // Written close together (a tenth of their height apart or less), as on a form field: still three.
  const close = writeLine(await Promise.all([3, 8, 5].map((l) => pick(l))), 2, 4);
  const closeFound = findInk(photo(close.right + 30, 100, close.marks, 17));
  assert.ok(closeFound.ok);
  assert.equal(countCharacters(closeFound.map), 3);
  const single = findInk(digit(0));
  assert.ok(single.ok);
  assert.equal(countCharacters(single.map), 1);
  assert.equal(countCharactersIn(digit(7)), 1);
  assert.equal(countCharactersIn(photo(120, 80, [], 19)), 0);
});

test('countCharacters: a picture of one ink piece counts one, as the line of glyphs it makes says', () => {
  // The shortcut for one piece must agree with what findLine makes of it, on every MNIST test digit of one piece.
  let single = 0;
  for (let k = 0; k < 2000; k++) {
    const found = findInk(digit(k));
    assert.ok(found.ok);
    if (found.map.ink.length !== 1) continue;
    single++;
    const line = findLine(found.map);
    assert.ok(
      line.ok && line.glyphs.length === 1,
      `digit ${k}: findLine makes ${line.ok ? line.glyphs.length : 'no'} glyphs of one piece`,
    );
    assert.equal(countCharacters(found.map), 1);
  }
  assert.ok(single > 1500, `only ${single} of 2000 test digits are one piece`);
});

test('a 1 leaning on its neighbour is cut out, though the pair is no wider than one digit', async () => {
  let cut = 0;
  for (const [a, b] of [
    [1, 4],
    [8, 1],
    [7, 1],
  ]) {
    const ks = [await pick(a, 3), await pick(b, 3)];
    const line = writeLine(ks, 3, -3);
    const img = photo(line.right + 40, 150, line.marks, 7);
    const found = findInk(img);
    assert.ok(found.ok);
    if (found.map.ink.length !== 1) continue; // these two happen not to touch
    const r = await readLine(img, CONTRACT, classify);
    ok(r);
    assert.equal(r.text, `${a}${b}`, r.decisions.join('; '));
    cut++;
  }
  assert.ok(cut >= 2, `only ${cut} of the pairs touched: the test pictures no longer test cutting`);
});

test('a piece much shorter than the line is not read as a digit of its own', async () => {
  // A 5 written in two strokes: its top bar lifted off the body, raised and drawn on to the right, as people
  // write it, so that body and bar together are wider than the body is tall; then drawn on further still.
  for (const shift of [12, 25]) {
    const five = scaleUp(digit(await pick(5, 2)), 3);
    const wide = { width: five.width + 30, height: five.height, data: new Uint8Array((five.width + 30) * five.height) };
    for (let y = 0; y < five.height; y++)
      wide.data.set(five.data.subarray(y * five.width, (y + 1) * five.width), y * wide.width);
    const b = inkBox(wide);
    const split = b.y + Math.round(b.height * 0.22);
    const data = new Uint8Array(wide.data.length);
    for (let y = 0; y < wide.height; y++)
      for (let x = 0; x < five.width; x++) {
        const v = wide.data[y * wide.width + x];
        if (y < split) {
          if (y - 9 >= 0) data[(y - 9) * wide.width + x + shift] = v;
        } else if (y >= split + 3) data[y * wide.width + x] = v;
      }
    const lifted = { width: wide.width, height: wide.height, data };
    const img = photo(200, 150, [{ img: lifted, x: 60, y: 30 }], 9);
    const found = findInk(img);
    assert.ok(found.ok && found.map.ink.length >= 2, 'the bar and the body are separate pieces');
    const r = await readLine(img, CONTRACT, classify);
    ok(r);
    assert.equal(r.text, '5', `bar moved ${shift} px: ${r.decisions.join('; ')}`);
  }
});
