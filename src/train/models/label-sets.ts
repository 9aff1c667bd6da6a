import type { InputContract } from '../../runtime/contract.js';
import { MNIST_CONTRACT } from './mnist-contract.js';

/** A named set of output labels a model can be trained for (`train --symbols`). */
export interface LabelSet {
  /** Labels in output order; they go into the model's contract and every consumer reads them from there. */
  labels: string[];
  description: string;
}

const DIGITS = MNIST_CONTRACT.labels;

/**
 * Label sets `train --symbols` accepts. Digits come first in every set so the MNIST digit `d` is output `d`
 * whatever follows, though consumers still look labels up by name. Operators are written as `text` shows
 * them: ASCII hyphen-minus, U+00D7 multiplication sign, U+00F7 division sign.
 */
export const LABEL_SETS: Record<string, LabelSet> = {
  digits: { labels: [...DIGITS], description: 'the ten digits 0-9 (MNIST; default)' },
  arithmetic: { labels: [...DIGITS, '+', '-', '×', '÷', '='], description: 'digits and the operators + - × ÷ = (operators synthesised as pen strokes)' },
};

/** Default label set. */
export const DEFAULT_SYMBOLS = 'digits';

/** The MNIST input contract with a label set's labels: the same picture, more outputs. */
export function contractFor(labels: readonly string[]): InputContract {
  return { ...MNIST_CONTRACT, labels: [...labels] };
}

/** The labels of a set beyond the ten MNIST digits (the ones training has to synthesise). */
export function extraLabels(labels: readonly string[]): string[] {
  return labels.filter((l) => !DIGITS.includes(l));
}
