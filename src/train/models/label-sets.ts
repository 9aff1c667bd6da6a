import type { InputContract } from '../../runtime/contract.js';
import { MNIST_CONTRACT } from './mnist-contract.js';

/** A named set of output labels a model can be trained for (`train --symbols`). */
export interface LabelSet {
  /** Labels in output order; they go into the model's contract and every consumer reads them from there. */
  labels: string[];
  description: string;
  /** The label, among `labels`, trained on pieces that are not one character (see not-character.ts). */
  rejectLabel?: string;
  /**
   * Extra training pictures of digits in styles MNIST lacks (see digit-styles.ts), as a fraction of the
   * training digits; 0 or absent for none.
   */
  styledDigits?: number;
}

const DIGITS = MNIST_CONTRACT.labels;

/**
 * The label of the "not one character" class: it is written into the contract (`reject_label`) and every
 * consumer learns it from there.
 */
export const NOT_A_CHARACTER = 'none';

/** Styled digits per training digit in the reading models: a third more pictures of digits. */
const STYLED = 0.3;

/**
 * Label sets `train --symbols` accepts. Digits come first in every set so the MNIST digit `d` is output `d`
 * whatever follows, though consumers still look labels up by name. Operators are written as `text` shows
 * them: ASCII hyphen-minus, U+00D7 multiplication sign, U+00F7 division sign.
 */
export const LABEL_SETS: Record<string, LabelSet> = {
  digits: { labels: [...DIGITS], description: 'the ten digits 0-9 (MNIST; default)' },
  reading: {
    labels: [...DIGITS, NOT_A_CHARACTER],
    description: `the ten digits and '${NOT_A_CHARACTER}' (not one character: pieces and pairs of digits, stray strokes), digits also in styles MNIST lacks`,
    rejectLabel: NOT_A_CHARACTER,
    styledDigits: STYLED,
  },
  arithmetic: {
    labels: [...DIGITS, '+', '-', '×', '÷', '=', NOT_A_CHARACTER],
    description: `digits, the operators + - × ÷ = (synthesised as pen strokes) and '${NOT_A_CHARACTER}' (not one character)`,
    rejectLabel: NOT_A_CHARACTER,
    styledDigits: STYLED,
  },
};

/** Default label set. */
export const DEFAULT_SYMBOLS = 'digits';

/** The MNIST input contract with a label set's labels: the same picture, more outputs. */
export function contractFor(labels: readonly string[], rejectLabel?: string): InputContract {
  return { ...MNIST_CONTRACT, labels: [...labels], ...(rejectLabel !== undefined ? { rejectLabel } : {}) };
}

/** The labels of a set beyond the ten MNIST digits (the ones training has to synthesise). */
export function extraLabels(labels: readonly string[]): string[] {
  return labels.filter((l) => !DIGITS.includes(l));
}
