import { UsageError } from '../errors.js';

/**
 * Parse an integer option; the error names the option, the expected range and the value given.
 * @param name option as the user typed it, e.g. `--epochs`.
 */
export function intOption(name: string, value: string | number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const text = String(value).trim();
  const n = Number(text);
  if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw new UsageError(`${name}: expected an integer ${range(min, max)}, got '${value}'`);
  }
  if (n < min || n > max) throw new UsageError(`${name}: expected an integer ${range(min, max)}, got ${n}`);
  return n;
}

/** Parse a finite number option with an exclusive lower bound. */
export function positiveNumberOption(name: string, value: string | number): number {
  const n = Number(value);
  if (String(value).trim() === '' || !Number.isFinite(n) || n <= 0) {
    throw new UsageError(`${name}: expected a number > 0, got '${value}'`);
  }
  return n;
}

/** Check that `value` is one of `choices`. */
export function choiceOption<T extends string>(name: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new UsageError(`${name}: unknown value '${value}'; valid: ${choices.join(', ')}`);
  }
  return value as T;
}

function range(min: number, max: number): string {
  return max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
}

/** Parse a probability option (0..1 inclusive). */
export function probabilityOption(name: string, value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n > 1) {
    throw new UsageError(`${name}: expected a probability from 0 to 1, got '${value}'`);
  }
  return n;
}
