// The seeds of the independent evaluation sets. Reader rules may be chosen on the tuning seed only; the
// evaluation seed is for reporting. Tests never import these.

/** Which half of the independent sets. */
export type Split = 'tuning' | 'evaluation';

/** The seed of each split, shared by every page generator set and the sums. */
export const SPLIT_SEEDS: Record<Split, number> = { tuning: 7301, evaluation: 8402 };
