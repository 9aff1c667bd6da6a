/**
 * Exact arithmetic over the text a line reader produced: `+ - × ÷ =` between whole numbers, `×` and `÷`
 * binding tighter than `+` and `-`, an optional leading minus and an optional trailing `=` (compute).
 * Every value is a rational of two BigInts, so `1 ÷ 3 × 3` is exactly 1 and a 40-digit product loses
 * nothing. Nothing here ever calls `eval` or throws on bad text: a text that is not a valid expression
 * gets a one-line reason instead.
 *
 * Shared code: no Node and no DOM imports (the widget, the server and the CLI use this very file).
 */

/** An exact rational number in lowest terms; the denominator is always positive. */
export interface Rational {
  num: bigint;
  den: bigint;
}

/** The value of an expression, as JSON-friendly strings. */
export interface ExpressionValue {
  /** The reduced fraction, e.g. "7/3", "-5/2"; a whole number is written without a denominator, e.g. "12". */
  fraction: string;
  /**
   * The exact decimal when it terminates (e.g. "2.5", "-0.125", "12"), else null: 7/3 has no finite
   * decimal, and one longer than {@link MAX_DECIMAL_DIGITS} fractional digits is left to the fraction.
   */
  decimal: string | null;
}

/** A token of an arithmetic text. */
export type Token =
  { kind: 'number'; value: bigint; text: string; at: number } | { kind: 'op'; op: Operator; at: number };

/** The operators of handwritten arithmetic, as `text` writes them. */
export type Operator = '+' | '-' | '×' | '÷' | '=';

/** The operator characters in the order the arithmetic label set lists them. */
export const OPERATORS: readonly Operator[] = ['+', '-', '×', '÷', '='];

/** True when a model with these labels reads arithmetic: they hold an operator. */
export function readsArithmetic(labels: readonly string[]): boolean {
  return OPERATORS.some((op) => labels.includes(op));
}

/** True when `label` is one of the {@link OPERATORS}. */
export function isOperator(label: string): label is Operator {
  return (OPERATORS as readonly string[]).includes(label);
}

/** Result of {@link evaluateExpression}. */
export type ExpressionResult = { ok: true; value: ExpressionValue; exact: Rational } | { ok: false; error: string };

/** Decimal expansions longer than this many fractional digits are not written out (the fraction is). */
export const MAX_DECIMAL_DIGITS = 100;
/** Texts longer than this are refused, so a hostile input cannot make the BigInts grow without bound. */
export const MAX_EXPRESSION_LENGTH = 1000;

// Other spellings a keyboard or a font may produce for the same operator.
const ALIASES: Record<string, Operator> = {
  '+': '+',
  '-': '-',
  '\u2212': '-',
  '\u2013': '-',
  '×': '×',
  '*': '×',
  '÷': '÷',
  '/': '÷',
  ':': '÷',
  '=': '=',
};

/**
 * Split a text into numbers and operators; spaces are ignored.
 * @returns the tokens, or a one-line error naming the first character that is neither.
 */
export function tokenize(text: string): { ok: true; tokens: Token[] } | { ok: false; error: string } {
  const tokens: Token[] = [];
  const chars = Array.from(text);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    if (ch === ' ' || ch === '\t') continue;
    if (ch >= '0' && ch <= '9') {
      let j = i;
      while (j < chars.length && chars[j] >= '0' && chars[j] <= '9') j++;
      const digits = chars.slice(i, j).join('');
      tokens.push({ kind: 'number', value: BigInt(digits), text: digits, at: i });
      i = j - 1;
      continue;
    }
    const op = ALIASES[ch];
    if (op === undefined)
      return { ok: false, error: `'${ch}' at position ${i + 1} is neither a digit nor one of + - × ÷ =` };
    tokens.push({ kind: 'op', op, at: i });
  }
  return { ok: true, tokens };
}

/** True when the text holds at least one operator, i.e. it is meant as arithmetic rather than a number. */
export function isExpression(text: string): boolean {
  return Array.from(text).some((ch) => ALIASES[ch] !== undefined);
}

function abs(n: bigint): bigint {
  return n < 0n ? -n : n;
}

function gcd(a: bigint, b: bigint): bigint {
  a = abs(a);
  b = abs(b);
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** The rational num/den in lowest terms with a positive denominator. */
export function rational(num: bigint, den = 1n): Rational {
  if (den === 0n) throw new RangeError('rational: zero denominator');
  if (den < 0n) {
    num = -num;
    den = -den;
  }
  const g = gcd(num, den);
  return g > 1n ? { num: num / g, den: den / g } : { num, den };
}

const add = (a: Rational, b: Rational): Rational => rational(a.num * b.den + b.num * a.den, a.den * b.den);
const sub = (a: Rational, b: Rational): Rational => rational(a.num * b.den - b.num * a.den, a.den * b.den);
const mul = (a: Rational, b: Rational): Rational => rational(a.num * b.num, a.den * b.den);

/**
 * The exact decimal of a reduced rational when it terminates within `maxDigits` fractional digits, else null.
 * It terminates exactly when the denominator has no prime factor other than 2 and 5.
 */
export function exactDecimal(r: Rational, maxDigits = MAX_DECIMAL_DIGITS): string | null {
  let d = r.den,
    twos = 0,
    fives = 0;
  while (d % 2n === 0n) {
    d /= 2n;
    twos++;
  }
  while (d % 5n === 0n) {
    d /= 5n;
    fives++;
  }
  if (d !== 1n) return null;
  const digits = Math.max(twos, fives);
  if (digits > maxDigits) return null;
  const sign = r.num < 0n ? '-' : '';
  const n = abs(r.num);
  if (digits === 0) return sign + n.toString();
  // Scale to an integer count of 10^-digits: den divides 10^digits because it is 2^a 5^b with a, b <= digits.
  const scaled = (n * 10n ** BigInt(digits)) / r.den;
  const s = scaled.toString().padStart(digits + 1, '0');
  return `${sign}${s.slice(0, -digits)}.${s.slice(-digits)}`;
}

/** A rational as the JSON value of an expression: reduced fraction and exact decimal (or null). */
export function toExpressionValue(r: Rational): ExpressionValue {
  return { fraction: r.den === 1n ? r.num.toString() : `${r.num}/${r.den}`, decimal: exactDecimal(r) };
}

function describe(t: Token | undefined): string {
  if (!t) return 'the end';
  return t.kind === 'number' ? `'${t.text}'` : `'${t.op}'`;
}

/**
 * Parse and evaluate an arithmetic text exactly (see the file comment): numbers are whole and unsigned, a
 * single minus may open the text, `=` may only close it. Never throws.
 * @returns the value, or `{ ok: false, error }` with one line (two operators in a row, division by zero,
 *   an operator at the start or end, a character that is not arithmetic, an empty text).
 */
export function evaluateExpression(text: string): ExpressionResult {
  if (text.length > MAX_EXPRESSION_LENGTH)
    return { ok: false, error: `expression too long (${text.length} characters, at most ${MAX_EXPRESSION_LENGTH})` };
  const lexed = tokenize(text);
  if (!lexed.ok) return lexed;
  const tokens = lexed.tokens;
  if (tokens.length === 0) return { ok: false, error: 'empty expression' };
  const last = tokens[tokens.length - 1];
  const body = last.kind === 'op' && last.op === '=' ? tokens.slice(0, -1) : tokens;
  if (body.length === 0) return { ok: false, error: "'=' with nothing to compute" };
  let i = 0;
  const negate = body[0].kind === 'op' && body[0].op === '-';
  if (negate) i = 1;

  // Checks shared by every operand position: what stands there must be a number.
  const operand = (): { ok: true; value: Rational } | { ok: false; error: string } => {
    const t = body[i];
    if (t?.kind === 'number') {
      i++;
      return { ok: true, value: rational(t.value) };
    }
    const prev = body[i - 1];
    if (t === undefined)
      return {
        ok: false,
        error:
          prev?.kind === 'op' ? `the expression ends with '${prev.op}': a number must follow it` : 'empty expression',
      };
    if (t.op === '=') return { ok: false, error: `'=' at position ${t.at + 1} may only end the expression` };
    if (prev?.kind === 'op')
      return { ok: false, error: `two operators in a row: '${prev.op}' then '${t.op}' at position ${t.at + 1}` };
    return { ok: false, error: `the expression starts with '${t.op}': only a minus may open it` };
  };

  // A term: numbers joined by × and ÷, evaluated left to right.
  const term = (): { ok: true; value: Rational } | { ok: false; error: string } => {
    const first = operand();
    if (!first.ok) return first;
    let acc = first.value;
    for (;;) {
      const t = body[i];
      if (t?.kind !== 'op' || (t.op !== '×' && t.op !== '÷')) return { ok: true, value: acc };
      i++;
      const next = operand();
      if (!next.ok) return next;
      if (t.op === '×') {
        acc = mul(acc, next.value);
      } else {
        if (next.value.num === 0n) return { ok: false, error: `division by zero at position ${t.at + 1}` };
        acc = rational(acc.num * next.value.den, acc.den * next.value.num);
      }
    }
  };

  const firstTerm = term();
  if (!firstTerm.ok) return firstTerm;
  let total = negate ? rational(-firstTerm.value.num, firstTerm.value.den) : firstTerm.value;
  while (i < body.length) {
    const t = body[i];
    if (t.kind === 'number')
      return { ok: false, error: `${describe(t)} at position ${t.at + 1} follows a number without an operator` };
    if (t.op === '=') return { ok: false, error: `'=' at position ${t.at + 1} may only end the expression` };
    i++;
    const next = term();
    if (!next.ok) return next;
    total = t.op === '+' ? add(total, next.value) : sub(total, next.value);
  }
  return { ok: true, value: toExpressionValue(total), exact: total };
}

/**
 * The fields a reading row adds for its text: `value` when the text is a valid expression,
 * `expression_error` (one line) when it holds operators but is not one, nothing for a plain number.
 */
export function expressionFields(text: string): { value?: ExpressionValue; expression_error?: string } {
  if (!isExpression(text)) return {};
  const r = evaluateExpression(text);
  return r.ok ? { value: r.value } : { expression_error: r.error };
}
