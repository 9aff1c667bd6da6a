/**
 * Otsu's threshold on ink strength: the level that best splits the above-noise pixels into faint
 * (anti-aliased rims, smudges, JPEG ringing) and strong (the strokes themselves). The ink finder keeps a
 * connected piece only when it reaches that level somewhere, so faint pieces cannot pass as marks.
 */

/** Bins of the strength histogram; strengths are byte differences, so 256 covers them all. */
const BINS = 256;

/** The histogram, kept between calls (cleared at the start of each) rather than allocated per picture. */
const HIST = new Float64Array(BINS);

/**
 * Otsu's threshold over the positive values of `strength` (bin width one level).
 * @returns the threshold level, or 0 when there are no positive values.
 */
export function otsuThreshold(strength: Float32Array): number {
  const hist = HIST;
  hist.fill(0);
  let n = 0;
  for (let i = 0; i < strength.length; i++) {
    const s = strength[i];
    if (s > 0) {
      hist[s >= BINS - 1 ? BINS - 1 : s | 0]++;
      n++;
    }
  }
  return otsuOfHistogram(hist, n);
}

/**
 * {@link otsuThreshold} of the strengths whose histogram (BINS bins, bin width one level, the last one holding
 * everything from BINS - 1 up) is `hist`, `n` values in all.
 */
export function otsuOfHistogram(hist: Float64Array, n: number): number {
  if (n === 0) return 0;
  let sumAll = 0;
  for (let v = 0; v < BINS; v++) sumAll += v * hist[v];
  let w0 = 0,
    sum0 = 0,
    best = 0,
    bestVar = -1;
  for (let t = 0; t < BINS; t++) {
    w0 += hist[t];
    if (w0 === 0) continue;
    const w1 = n - w0;
    if (w1 === 0) break;
    sum0 += t * hist[t];
    const m0 = sum0 / w0,
      m1 = (sumAll - sum0) / w1;
    const between = w0 * w1 * (m0 - m1) * (m0 - m1);
    if (between > bestVar) {
      bestVar = between;
      best = t + 1;
    }
  }
  return best;
}
