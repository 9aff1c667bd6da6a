/** Robust statistics on byte histograms, shared by the background and noise estimates. */

/**
 * Smallest value at which the cumulative count reaches half of `total` (the lower median), over the first
 * `bins` bins (all of them by default).
 */
export function histMedian(hist: Uint32Array, total?: number, bins = hist.length): number {
  let n = total ?? 0;
  if (total === undefined) for (let v = 0; v < bins; v++) n += hist[v];
  let acc = 0;
  for (let v = 0; v < bins; v++) {
    acc += hist[v];
    if (acc * 2 >= n) return v;
  }
  return 0;
}

/** Deviation histogram of {@link noiseMargin}, kept between calls and grown when needed. */
let devScratch = new Uint32Array(256);

/**
 * Three robust sigmas of the spread of a histogram around `centre` (bins are `offset`-shifted values):
 * 1.4826 * MAD estimates sigma for Gaussian noise, and a spread of exactly zero stays zero so a clean
 * synthetic picture keeps every ink level. `lo`..`hi` bound the filled bins (the whole histogram by default).
 */
export function noiseMargin(hist: Uint32Array, centre: number, lo = 0, hi = hist.length - 1): number {
  // Only bins in [lo, hi] may be filled, so no deviation exceeds hi - lo: small pictures stay cheap.
  const size = hi - lo + 1;
  if (devScratch.length < size) devScratch = new Uint32Array(size);
  const dev = devScratch;
  dev.fill(0, 0, size);
  let n = 0;
  for (let v = lo; v <= hi; v++) {
    if (hist[v] === 0) continue;
    const d = Math.abs(v - centre);
    // a deviation past the range counts in n but in no bin, as it did when dev was exactly `size` long
    if (d < size) dev[d] += hist[v];
    n += hist[v];
  }
  return Math.ceil(3 * 1.4826 * histMedian(dev, n, size));
}
