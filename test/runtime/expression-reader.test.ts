import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readExpression, type ReadCharacter } from '../../src/runtime/expression-reader.js';

const LABELS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '+', '-', '×', '÷', '='];

/** A digit 24 px wide and 40 px tall standing on the line y = 10..50, at column x. */
const digit = (label: string, x: number): ReadCharacter => ({
  digit: label,
  probability: 0.99,
  box: { x, y: 10, width: 24, height: 40 },
  edge: false,
});
const mark = (
  label: string,
  x: number,
  y: number,
  width: number,
  height: number,
  probabilities?: number[],
): ReadCharacter => ({
  digit: label,
  probability: 0.9,
  box: { x, y, width, height },
  edge: false,
  probabilities: probabilities && Float32Array.from(probabilities),
});

function probs(best: string, second: string, p2: number): number[] {
  const p = new Array<number>(LABELS.length).fill(0);
  p[LABELS.indexOf(best)] = 1 - p2;
  p[LABELS.indexOf(second)] = p2;
  return p;
}

test('a plain expression reads as it is, with its exact value', () => {
  const r = readExpression([digit('1', 0), digit('2', 30), mark('-', 62, 28, 20, 5), digit('3', 90)], LABELS);
  assert.equal(r.text, '12-3');
  assert.deepEqual(r.value, { fraction: '9', decimal: '9' });
  assert.deepEqual(r.decisions, []);
});

test('- against 1: a flat 1 is a minus, an upright minus is a one', () => {
  const flat = readExpression([digit('7', 0), mark('1', 32, 27, 22, 5), digit('2', 60)], LABELS);
  assert.equal(flat.text, '7-2');
  assert.match(flat.decisions[0], /'1' lying flat/);
  const upright = readExpression([digit('7', 0), mark('-', 32, 12, 5, 36), digit('2', 60)], LABELS);
  assert.equal(upright.text, '712');
  assert.equal(upright.value, undefined, 'a plain number has no value');
});

test('= from two stacked dashes, and a trailing = computes', () => {
  const r = readExpression(
    [digit('6', 0), mark('×', 32, 24, 14, 14), digit('7', 54), mark('-', 86, 22, 20, 4), mark('-', 87, 34, 19, 4)],
    LABELS,
  );
  assert.equal(r.text, '6×7=');
  assert.deepEqual(r.value, { fraction: '42', decimal: '42' });
  assert.match(r.decisions.join('\n'), /stacked flat marks/);
});

test('÷ from a bar and the dots read as separate characters', () => {
  const r = readExpression(
    [digit('7', 0), mark('0', 40, 17, 5, 5), mark('-', 32, 28, 22, 4), mark('1', 41, 39, 4, 5), digit('2', 64)],
    LABELS,
  );
  assert.equal(r.text, '7÷2');
  assert.deepEqual(r.value, { fraction: '7/2', decimal: '3.5' });
});

test('small operators are kept, specks are set aside', () => {
  const plus = mark('4', 32, 24, 12, 12, probs('4', '+', 0.4));
  const speck = mark('0', 70, 47, 3, 3);
  const r = readExpression([digit('2', 0), plus, digit('3', 50), speck], LABELS);
  assert.equal(r.text, '2+3');
  assert.deepEqual(r.value, { fraction: '5', decimal: '5' });
  assert.match(r.decisions.join('\n'), /read as '\+'/);
  assert.match(r.decisions.join('\n'), /speck/);
  const dash = readExpression([digit('9', 0), mark('7', 30, 28, 9, 3), digit('4', 44)], LABELS);
  assert.equal(dash.text, '9-4', 'a short dash in the middle band is a minus');
});

test('a broken expression gets expression_error, never a throw; a digits-only model gets no operator rules', () => {
  const r = readExpression(
    [digit('3', 0), mark('+', 30, 24, 14, 14), mark('×', 50, 24, 14, 14), digit('4', 70)],
    LABELS,
  );
  assert.equal(r.text, '3+×4');
  assert.match(r.expression_error!, /two operators in a row/);
  const digitsOnly = readExpression([digit('7', 0), mark('1', 32, 27, 22, 5)], LABELS.slice(0, 10));
  assert.equal(digitsOnly.text, '71');
  assert.deepEqual(readExpression([], LABELS), { text: '', characters: [], decisions: [] });
});

test('the rules change the reading type itself: a character they keep is the object the line reader made', () => {
  const five = digit('5', 0);
  const dash: ReadCharacter = { ...mark('-', 30, 24, 14, 4), rows: { bars: 2, marks: 2 } };
  const r = readExpression([five, dash, digit('2', 60)], LABELS);
  assert.equal(r.text, '5=2');
  assert.equal(r.characters[0].digit, '5');
  assert.deepEqual(r.characters[0].box, five.box);
  assert.equal(r.characters[1].digit, '=');
  assert.deepEqual(r.characters[1].rows, { bars: 2, marks: 2 });
});

test('an operator a line reader cut in two is joined again: == as =, +- as +, two dashes standing tall as ÷', () => {
  const eq = readExpression(
    [digit('9', 0), mark('+', 30, 24, 14, 14), digit('4', 50), mark('=', 80, 24, 10, 12), mark('=', 91, 24, 10, 12)],
    LABELS,
  );
  assert.equal(eq.text, '9+4=');
  assert.deepEqual(eq.value, { fraction: '13', decimal: '13' });
  const plus = readExpression(
    [digit('2', 0), mark('+', 30, 22, 8, 16), mark('-', 39, 28, 8, 4), digit('3', 54)],
    LABELS,
  );
  assert.equal(plus.text, '2+3');
  const div = readExpression(
    [digit('8', 0), mark('-', 30, 18, 10, 24), mark('-', 41, 18, 10, 24), digit('4', 60)],
    LABELS,
  );
  assert.equal(div.text, '8÷4');
  const apart = readExpression(
    [mark('-', 0, 28, 16, 4), digit('3', 20), mark('-', 50, 28, 16, 4), mark('-', 70, 28, 16, 4)],
    LABELS,
  );
  assert.match(apart.expression_error!, /two operators in a row/, 'operators with a gap between them stay two');
});

test('a dash holding two stacked bars is an =, one with a separate mark over or under its bar a ÷, and a dash ending the line after a digit an =', () => {
  const stacked = readExpression(
    [digit('7', 0), { ...mark('-', 30, 26, 16, 8), rows: { bars: 2, marks: 2 } }, digit('2', 52)],
    LABELS,
  );
  assert.equal(stacked.text, '7=2');
  assert.ok(
    stacked.decisions.some((d) => /two stacked bars/.test(d)),
    stacked.decisions.join('; '),
  );
  const plain = readExpression(
    [digit('7', 0), { ...mark('-', 30, 28, 16, 4), rows: { bars: 1, marks: 1 } }, digit('2', 52)],
    LABELS,
  );
  assert.equal(plain.text, '7-2');
  const dotted = readExpression(
    [digit('7', 0), { ...mark('-', 30, 24, 16, 12), rows: { bars: 1, marks: 2 } }, digit('2', 52)],
    LABELS,
  );
  assert.equal(dotted.text, '7÷2');
  assert.deepEqual(dotted.value, { fraction: '7/2', decimal: '3.5' });
  const trailing = readExpression(
    [digit('1', 0), digit('2', 30), mark('+', 60, 24, 14, 14), digit('7', 80), mark('-', 110, 28, 16, 5)],
    LABELS,
  );
  assert.equal(trailing.text, '12+7=');
  assert.deepEqual(trailing.value, { fraction: '19', decimal: '19' });
  // A leading minus stays a minus.
  assert.equal(readExpression([mark('-', 0, 28, 16, 5), digit('4', 30)], LABELS).text, '-4');
});

test('an = holding one bar at the picture resolution is a dash, unless it ends the line; one holding two stays =', () => {
  const thick = (x: number, bars: number, marks: number): ReadCharacter => ({
    ...mark('=', x, 24, 22, 12, probs('=', '-', 0.3)),
    rows: { bars, marks },
  });
  const dash = readExpression([mark('-', 0, 28, 16, 5), digit('7', 30), thick(60, 1, 1), digit('2', 90)], LABELS);
  assert.equal(dash.text, '-7-2');
  assert.ok(
    dash.decisions.some((d) => /one bar read as '-'/.test(d)),
    dash.decisions.join('; '),
  );
  assert.deepEqual(dash.value, { fraction: '-9', decimal: '-9' });
  assert.equal(readExpression([digit('7', 0), thick(30, 2, 2), digit('2', 60)], LABELS).text, '7=2');
  // Marks stacked apart are no single bar: the rule leaves them.
  assert.equal(readExpression([digit('7', 0), thick(30, 1, 3), digit('2', 60)], LABELS).text, '7=2');
  assert.equal(readExpression([digit('1', 0), digit('2', 30), thick(60, 1, 1)], LABELS).text, '12=');
});

test('a ÷ showing no dot apart from its bar is a + when the network gives + its share; one with its dots apart stays ÷', () => {
  const sign = (marks: number, plus: number): ReadCharacter => ({
    ...mark('÷', 32, 20, 18, 18, probs('÷', '+', plus)),
    rows: { bars: 1, marks },
  });
  const blot = readExpression([digit('7', 0), sign(1, 0.3), digit('2', 60)], LABELS);
  assert.equal(blot.text, '7+2');
  assert.ok(
    blot.decisions.some((d) => /no dot apart from its bar/.test(d)),
    blot.decisions.join('; '),
  );
  assert.equal(readExpression([digit('7', 0), sign(3, 0.3), digit('2', 60)], LABELS).text, '7÷2', 'dots apart');
  assert.equal(readExpression([digit('7', 0), sign(1, 0.1), digit('2', 60)], LABELS).text, '7÷2', 'a sure ÷');
});

test('of two operators in a row, one read with doubt is set aside; two sure ones stay and make an expression error', () => {
  const sure = (label: string, x: number): ReadCharacter => ({ ...mark(label, x, 22, 16, 16), probability: 0.99 });
  const doubtful = (label: string, x: number): ReadCharacter => ({ ...mark(label, x, 28, 14, 4), probability: 0.4 });
  const stray = readExpression(
    [digit('9', 0), sure('×', 30), doubtful('-', 52), digit('3', 72), digit('4', 100)],
    LABELS,
  );
  assert.equal(stray.text, '9×34');
  assert.deepEqual(stray.value, { fraction: '306', decimal: '306' });
  assert.ok(
    stray.decisions.some((d) => /doubtful '-'/.test(d)),
    stray.decisions.join('; '),
  );
  const both = readExpression([digit('7', 0), sure('+', 30), sure('×', 52), digit('2', 72)], LABELS);
  assert.equal(both.text, '7+×2');
  assert.equal(typeof both.expression_error, 'string');
  // The line's last `=` is kept however doubtful: the writer asked for a value.
  const last = readExpression(
    [digit('7', 0), sure('+', 30), { ...doubtful('=', 52), rows: { bars: 2, marks: 2 } }],
    LABELS,
  );
  assert.equal(last.text, '7+=');
  assert.equal(typeof last.expression_error, 'string');
});
