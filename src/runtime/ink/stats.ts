/** Robust statistics on byte histograms, shared by the background and noise estimates. */

/** Smallest value at which the cumulative count reaches half of `total` (the lower median). */
export function histMedian(hist: Uint32Array, total?: number): number {
  let n = total ?? 0;
  if (total === undefined) for (let v = 0; v < hist.length; v++) n += hist[v];
  let acc = 0;
  for (let v = 0; v < hist.length; v++) {
    acc += hist[v];
    if (acc * 2 >= n) return v;
  }
  return 0;
}

/**
 * Three robust sigmas of the spread of a histogram around `centre` (bins are `offset`-shifted values):
 * 1.4826 * MAD estimates sigma for Gaussian noise, and a spread of exactly zero stays zero so a clean
 * synthetic picture keeps every ink level. `lo`..`hi` bound the filled bins (the whole histogram by default).
 */
export function noiseMargin(hist: Uint32Array, centre: number, lo = 0, hi = hist.length - 1): number {
  // Only bins in [lo, hi] may be filled, so no deviation exceeds hi - lo: small pictures stay cheap.
  const dev = new Uint32Array(hi - lo + 1);
  let n = 0;
  for (let v = lo; v <= hi; v++) {
    if (hist[v] === 0) continue;
    dev[Math.abs(v - centre)] += hist[v];
    n += hist[v];
  }
  return Math.ceil(3 * 1.4826 * histMedian(dev, n));
}
