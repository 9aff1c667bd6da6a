/**
 * A second look at a character the network is unsure of: its model input read again leaning left and right,
 * wider and narrower, and the readings averaged. Writers differ most in slant and width: a digit the network
 * half-knows upright it often knows leaning, and a narrow hand's `7`, whose arm is too short to tell from a
 * `1`, reads as a `7` once widened. The line reader looks again at its crops of the source picture (sharper
 * than a model input for a small operator); `predict`, on every surface (CLI, server, API, widget), has only
 * the model input, and looks again at the ink in it.
 *
 * Shared code: no Node and no DOM imports.
 */
import { inkScale, type InputContract } from './contract.js';
import { fitToContract, shearCrop, stretchCrop, type InkCrop } from './ink/fit.js';
import { SECOND_LOOK } from './reader-thresholds.js';

/** How many inputs one second look adds per unsure reading. */
export const SECOND_VIEW_COUNT = SECOND_LOOK.slantViews.length + SECOND_LOOK.widthViews.length;

/** Reads model inputs; one probability vector per input, in `contract.labels` order. */
export type ReadInputs = (inputs: Float32Array[]) => Promise<Float32Array[]>;

/**
 * The ink of a model input as strengths 0..1 (the contract's pixel range and polarity undone), cut to its
 * tight box; null when the input holds no ink.
 */
export function inputInk(input: Float32Array, contract: InputContract): InkCrop | null {
  const { width: w, height: h } = contract;
  const { background, span } = inkScale(contract);
  // the input holds its background as a float32, which for most ranges is not the contract's value itself
  const stored = Math.fround(background);
  let x0 = w,
    x1 = -1,
    y0 = h,
    y1 = -1;
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      if (input[y * w + x] !== stored && (input[y * w + x] - background) / span > 0) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
  if (x1 < 0) return null;
  const cw = x1 - x0 + 1,
    ch = y1 - y0 + 1;
  const data = new Float32Array(cw * ch);
  let peak = 0;
  for (let y = 0; y < ch; y++)
    for (let x = 0; x < cw; x++) {
      const v = Math.min(1, Math.max(0, (input[(y + y0) * w + x + x0] - background) / span));
      data[y * cw + x] = v;
      if (v > peak) peak = v;
    }
  return { box: { x: x0, y: y0, width: cw, height: ch }, data, peak };
}

/**
 * The second views of a character's ink, each fitted as a model input: SECOND_VIEW_COUNT of them, less any
 * that would show the ink unchanged (a crop too narrow to stretch), so no view counts twice in the mean.
 */
export function secondViews(ink: InkCrop, contract: InputContract): Float32Array[] {
  return [
    ...SECOND_LOOK.slantViews.map((s) => shearCrop(ink, s)),
    ...SECOND_LOOK.widthViews.map((f) => stretchCrop(ink, f)),
  ]
    .filter((view) => view !== ink)
    .map((view) => fitToContract(view, contract));
}

/** Whether a reading is unsure enough to look again: its best output below `sure`, all finite. */
export function isUnsure(probs: Float32Array, sure: number = SECOND_LOOK.sureReading): boolean {
  let best = -Infinity;
  for (const p of probs) {
    // a broken reading is the caller's to report, not to average away
    if (!Number.isFinite(p)) return false;
    if (p > best) best = p;
  }
  return best < sure;
}

/**
 * `probs` with every unsure reading (best output under `sure`) replaced by the mean of it and of the readings
 * of `viewsOf(i)`, its second views; all of them go to `read` in one call, and none when every reading is
 * sure. A reading whose views read back anything not finite stays as it was: one broken view leaves the
 * others' second looks alone. The arrays passed in are not changed.
 */
export async function lookAgain(
  read: ReadInputs,
  probs: readonly Float32Array[],
  viewsOf: (i: number) => Float32Array[],
  sure: number = SECOND_LOOK.sureReading,
): Promise<Float32Array[]> {
  const out = probs.slice();
  const unsure: number[] = [];
  const views: Float32Array[] = [];
  const counts: number[] = [];
  probs.forEach((p, i) => {
    if (!isUnsure(p, sure)) return;
    const v = viewsOf(i);
    if (v.length === 0) return;
    unsure.push(i);
    counts.push(v.length);
    views.push(...v);
  });
  if (views.length === 0) return out;
  const again = await read(views);
  let at = 0;
  unsure.forEach((i, u) => {
    const p = Float32Array.from(probs[i]);
    for (let v = 0; v < counts[u]; v++, at++) for (let k = 0; k < p.length; k++) p[k] += again[at][k];
    for (let k = 0; k < p.length; k++) p[k] /= counts[u] + 1;
    if (p.every(Number.isFinite)) out[i] = p;
  });
  return out;
}

/**
 * {@link lookAgain} for readers that have only the model inputs (`predict` on every surface): the views are
 * made from the ink of each input, and a reading is unsure under SECOND_LOOK.surePicture.
 */
export function lookAgainAtInputs(
  read: ReadInputs,
  inputs: readonly Float32Array[],
  probs: readonly Float32Array[],
  contract: InputContract,
): Promise<Float32Array[]> {
  return lookAgain(
    read,
    probs,
    (i) => {
      const ink = inputInk(inputs[i], contract);
      return ink ? secondViews(ink, contract) : [];
    },
    SECOND_LOOK.surePicture,
  );
}
