import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  evaluateExpression,
  exactDecimal,
  expressionFields,
  rational,
  tokenize,
} from '../../src/runtime/expression.js';

function value(text: string): { fraction: string; decimal: string | null } {
  const r = evaluateExpression(text);
  assert.ok(r.ok, `${text}: ${r.ok ? '' : r.error}`);
  return r.value;
}

function error(text: string): string {
  const r = evaluateExpression(text);
  assert.ok(!r.ok, `${text} should be refused`);
  assert.ok(!r.error.includes('\n'), 'one line');
  return r.error;
}

test('× and ÷ bind tighter than + and -, left to right within a level', () => {
  assert.deepEqual(value('2+3×4'), { fraction: '14', decimal: '14' });
  assert.deepEqual(value('2×3+4'), { fraction: '10', decimal: '10' });
  assert.deepEqual(value('10-4-3'), { fraction: '3', decimal: '3' });
  assert.deepEqual(value('8÷4÷2'), { fraction: '1', decimal: '1' });
  assert.deepEqual(value('1+6÷4×2-3'), { fraction: '1', decimal: '1' });
  assert.deepEqual(value('7-2×5'), { fraction: '-3', decimal: '-3' });
});

test('a leading minus negates the first term only', () => {
  assert.deepEqual(value('-3+5'), { fraction: '2', decimal: '2' });
  assert.deepEqual(value('-3×4+20'), { fraction: '8', decimal: '8' });
  assert.deepEqual(value('-5'), { fraction: '-5', decimal: '-5' });
  assert.match(error('--5'), /two operators in a row/);
});

test('a trailing = means compute; = anywhere else is an error', () => {
  assert.deepEqual(value('12+30='), { fraction: '42', decimal: '42' });
  assert.match(error('3+4=7'), /'=' at position 4 may only end the expression/);
  assert.match(error('='), /nothing to compute/);
  assert.match(error('3=='), /may only end/);
});

test('exact results: terminating decimals written out, others as a reduced fraction', () => {
  assert.deepEqual(value('5÷2'), { fraction: '5/2', decimal: '2.5' });
  assert.deepEqual(value('7÷3'), { fraction: '7/3', decimal: null });
  assert.deepEqual(value('1÷3×3'), { fraction: '1', decimal: '1' });
  assert.deepEqual(value('1÷8'), { fraction: '1/8', decimal: '0.125' });
  assert.deepEqual(value('-1÷40'), { fraction: '-1/40', decimal: '-0.025' });
  assert.deepEqual(value('6÷4'), { fraction: '3/2', decimal: '1.5' });
  assert.deepEqual(value('1÷6'), { fraction: '1/6', decimal: null });
  assert.deepEqual(value('10÷100'), { fraction: '1/10', decimal: '0.1' });
  assert.equal(exactDecimal(rational(1n, 2n ** 200n)), null, 'too many digits: the fraction stands alone');
  assert.equal(exactDecimal(rational(1n, 1024n)), '0.0009765625');
});

test('invalid texts get one line, never a throw', () => {
  assert.match(error('3+×4'), /two operators in a row: '\+' then '×'/);
  assert.match(error('3÷0'), /division by zero/);
  assert.match(error('3÷(1-1)'), /'\(' at position 3/);
  assert.match(error('5÷2÷0+1'), /division by zero/);
  assert.match(error('3+'), /ends with '\+'/);
  assert.match(error('×3'), /starts with '×'/);
  assert.match(error(''), /empty/);
  assert.match(error('12 34'), /follows a number/);
  assert.match(error('1'.repeat(2000)), /too long/);
  // 0 ÷ something is fine; only dividing by zero is refused.
  assert.deepEqual(value('0÷7'), { fraction: '0', decimal: '0' });
});

test('huge numbers stay exact', () => {
  const a = '123456789012345678901234567890';
  const b = '987654321098765432109876543210';
  assert.equal(value(`${a}×${b}`).fraction, (BigInt(a) * BigInt(b)).toString());
  assert.equal(value(`${a}÷${a}0`).decimal, '0.1');
  assert.equal(value('99999999999999999999+1').fraction, '100000000000000000000');
  assert.deepEqual(value(`1÷${'3'.repeat(40)}`).decimal, null);
});

test('ASCII and typographic spellings map onto the same operators; spaces are ignored', () => {
  assert.deepEqual(value('6 * 7'), { fraction: '42', decimal: '42' });
  assert.deepEqual(value('9 / 2'), { fraction: '9/2', decimal: '4.5' });
  assert.deepEqual(value('\u22125 + 1'), { fraction: '-4', decimal: '-4' });
  const t = tokenize('12+3');
  assert.ok(t.ok);
  assert.deepEqual(
    t.tokens.map((k) => (k.kind === 'number' ? k.text : k.op)),
    ['12', '+', '3'],
  );
});

test('expressionFields: value for an expression, expression_error for a broken one, nothing for a number', () => {
  assert.deepEqual(expressionFields('2024'), {});
  assert.deepEqual(expressionFields('4÷8='), { value: { fraction: '1/2', decimal: '0.5' } });
  assert.deepEqual(Object.keys(expressionFields('4÷÷8')), ['expression_error']);
});
