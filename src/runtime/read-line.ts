/**
 * Read one line of handwritten characters from a grayscale picture, recognition-based (LeCun et al. 1998):
 * the same ink finding as single-digit preprocessing, the marks grouped into one line of glyphs, the line
 * over-segmented into pieces (its glyphs, and wide glyphs cut along the paths of least ink, a very wide one
 * along alternative paths too), and every part of a glyph between two cuts clear of each other, and a few
 * neighbouring glyphs joined, read by the network in one batch; a crop the network is unsure of is read
 * again leaning left and right, wider and narrower, and its reading is the mean of them all (writers differ
 * most in slant and width). The network's "not one character" output (the contract's `rejectLabel`) takes
 * the probability from a crop that holds half a digit or two of them; the best reading of the whole line is
 * the path through the pieces with the highest total log-probability, found by dynamic programming. What the
 * network cannot see in a 28x28 crop (how tall a piece stands in the line, how wide it is, how much ink a cut
 * crosses, whether a mark the network reads as an operator sits in the line's middle) is weighed in by a few
 * priors (segment/priors.ts, and the sign rule below); every threshold lives in reader-thresholds.ts.
 *
 * Shared code: no Node and no DOM imports; the classifier is a callback, so the CLI, the server and the
 * browser widget each bring their own runtime.
 */
import { answerLabels, isDigitLabel, rejectIndex, type InputContract } from './contract.js';
import { readsArithmetic } from './expression.js';
import { findInk } from './ink/find.js';
import { sourceBox, touchesEdge, type InkCrop } from './ink/fit.js';
import { lookAgain, secondViews } from './second-look.js';
import type { GrayImage, PixelBox } from './ink/image.js';
import { glyphInput, glyphWidth, type Glyph } from './segment/glyph.js';
import { findLine, signBeside, where } from './segment/line.js';
import { rowShape, type RowShape } from './segment/bars.js';
import { mergeCandidate } from './segment/merge.js';
import { cutPrior, digitHeightPrior, widestCharacter } from './segment/priors.js';
import { cutCandidates, keptCuts, glyphParts, type Cut } from './segment/split.js';
import { PRIORS, READER } from './reader-thresholds.js';

/** Probabilities per input, in `contract.labels` order. */
export type Classifier = (inputs: Float32Array[]) => Promise<Float32Array[]>;

/**
 * One character of a line that was read: the one reading type from the line reader through the arithmetic
 * rules to the output row, which picks the fields it prints.
 */
export interface LineDigit {
  /** The label read (a digit for digit models; never the "not one character" label). */
  digit: string;
  probability: number;
  /** Ink box in source pixels. */
  box: PixelBox;
  /** True when the ink box touches the picture's edge: the character may be cut off. */
  edge: boolean;
  /** Every label's probability, in the contract's order (absent for characters the rules made up). */
  probabilities?: Float32Array;
  /** The model input the network saw (absent for characters the rules made up). */
  input?: Float32Array;
  /** How its ink lies in rows (segment/bars.ts): what tells `=` and `÷` from `-`. */
  rows?: RowShape;
}

/** A line that was read. */
export interface ReadLineOk {
  ok: true;
  text: string;
  /** The lowest character probability. */
  confidence: number;
  digits: LineDigit[];
  /** Each merge, split and set-aside mark, one line each, in the order decided. */
  decisions: string[];
}

/** A picture that is not one readable line; `message` is one line for a person. */
export interface ReadLineRefusal {
  ok: false;
  reason: 'no-ink' | 'too-much-ink' | 'not-one-line';
  message: string;
}

export type ReadLineResult = ReadLineOk | ReadLineRefusal;

/** Knobs of {@link readLine}. */
export interface ReadLineOptions {
  /** Least ink contrast (0..255) for a picture to count as holding ink. Default 32. */
  minContrast?: number;
}

/** A span of pieces a path may read as one character. */
interface Span {
  /** Its crop's place in the batch. */
  slot: number;
  /** Shape prior of the cut that ends it (how wide its glyph is, how much ink the cut crosses). */
  prior: number;
  /** True when it is part of a glyph that was cut (so it never counts as a sign standing on its own). */
  cutPart: boolean;
  /** Piece boundaries it runs between. */
  from: number;
  to: number;
  note?: string;
}

/** The glyph between two cuts (null: the glyph's own edge), as a crop description. */
function between(g: Glyph, a: Cut | null, b: Cut | null): Glyph {
  if (!a && !b) return g;
  const n = g.y1 - g.y0 + 1;
  const from = new Int32Array(n),
    to = new Int32Array(n);
  let x0 = g.x1,
    x1 = g.x0;
  for (let i = 0; i < n; i++) {
    from[i] = a ? a.last[i] + 1 : g.x0;
    to[i] = b ? b.last[i] : g.x1;
    if (from[i] < x0) x0 = from[i];
    if (to[i] > x1) x1 = to[i];
  }
  return { ...g, x0: Math.min(x0, x1), x1: Math.max(x0, x1), span: { y0: g.y0, from, to } };
}

/**
 * Read the line of characters in `img` (see the file comment).
 * @param classify returns one probability vector per input, in `contract.labels` order.
 * @throws RangeError when `img` is malformed.
 */
export async function readLine(
  img: GrayImage,
  contract: InputContract,
  classify: Classifier,
  options: ReadLineOptions = {},
): Promise<ReadLineResult> {
  const found = findInk(img, { minContrast: options.minContrast });
  if (!found.ok) return found;
  const { map } = found;
  const line = findLine(map, { smallSigns: readsArithmetic(contract.labels) });
  if (!line.ok) return line;
  const { glyphs, height, decisions } = line;
  const alone = glyphs.length === 1;

  // Every crop any path may need, classified in one batch.
  const inputs: Float32Array[] = [];
  const boxes: PixelBox[] = [];
  // Ink height of each crop in character heights: what the 28x28 crop no longer shows.
  const heights: number[] = [];
  const crops: InkCrop[] = [];
  const add = (g: Glyph): number | null => {
    const r = glyphInput(map, g, contract);
    if (!r) return null;
    inputs.push(r.input);
    boxes.push(sourceBox(map, r.crop.box));
    heights.push(r.crop.box.height / height);
    crops.push(r.crop);
    return inputs.length - 1;
  };

  // Pieces: each glyph, cut where touching characters may meet. first[i] is glyph i's first piece boundary.
  const spans: Span[] = [];
  const first: number[] = [];
  let boundary = 0;
  const clearance = Math.max(2, Math.round(READER.cutClearance * height));
  glyphs.forEach((g) => {
    const width = glyphWidth(g) / height;
    // A path between pieces that never touched cuts nothing: no prior of cutting holds for it. (Its parts are
    // still parts of a cut glyph to the rules below: a lone glyph's short pieces, a sign standing on its own.)
    const prior = (c: Cut): number => (c.apart ? 0 : cutPrior(width, c.cost, alone));
    const cuts = keptCuts(
      cutCandidates(map, g, height).filter((c) => prior(c) > READER.hopelessCut),
      clearance,
      width > widestCharacter(alone),
    );
    first.push(boundary);
    for (const p of glyphParts(cuts, clearance)) {
      const whole = !p.left && !p.right;
      const part = between(g, p.left, p.right);
      const slot = add(part);
      if (slot === null) continue;
      spans.push({
        slot,
        from: boundary + p.from,
        to: boundary + p.to,
        cutPart: !whole,
        prior: p.right ? prior(p.right) : 0,
        note: whole ? undefined : `cut ${where(g, map.scale)} at ${where(part, map.scale)}`,
      });
    }
    boundary += cuts.length + 1;
  });
  first.push(boundary);
  // Whole neighbouring glyphs that may be pieces of one character (a broken 0, a 5 whose bar floats).
  // For a model that reads operators, a sign beside a digit (segment/line.ts, signBeside) is never offered to
  // the network as part of it.
  const signs = readsArithmetic(contract.labels);
  for (let i = 0; i + 1 < glyphs.length; i++) {
    let joined: Glyph | null = glyphs[i];
    for (let k = i + 1; k < glyphs.length && k - i < READER.maxJoinedGlyphs; k++) {
      if (signs && signBeside(map, glyphs[k - 1], glyphs[k], line.middle, height)) break;
      joined = mergeCandidate(joined, glyphs[k], height);
      if (!joined) break;
      const slot = add(joined);
      if (slot === null) break;
      spans.push({
        slot,
        from: first[i],
        to: first[k + 1],
        cutPart: false,
        // mergeCandidate bounds the width already, by the joined pieces' own height where a bar is lifted.
        prior: 0,
        note: `joined ${where(glyphs[i], map.scale)} to ${where(glyphs[k], map.scale)}`,
      });
    }
  }
  if (inputs.length === 0)
    return { ok: false, reason: 'no-ink', message: 'no ink found: no mark in the picture is large enough to read' };
  // a crop the network is unsure of is looked at again (second-look.ts), from the source's pixels
  const probs = await lookAgain(classify, await classify(inputs), (i) => secondViews(crops[i], contract));

  const answer = answerLabels(contract);
  const reject = rejectIndex(contract);
  const isDigit = contract.labels.map(isDigitLabel);
  const best = (slot: number): { k: number; p: number } => {
    const p = probs[slot];
    let k = -1;
    for (let j = 0; j < p.length; j++) if (answer[j] && (k < 0 || p[j] > p[k])) k = j;
    return { k, p: p[k] };
  };
  // Glyphs the network reads, alone, as an operator sitting in the line's middle band: a span that takes one
  // of them into a digit is a digit with a sign stuck to it (the network, though taught such pairs as not one
  // character, still reads some of them whole as the digit). Where a mark sits in the line the crop cannot show.
  const middle = line.middle * map.scale;
  const signAt = new Uint8Array(boundary);
  for (const s of spans) {
    // A piece cut out of a glyph, or much of a digit, may read as a sign too (a 5's bar, a 2's base): only
    // small marks of their own count.
    if (s.to - s.from !== 1 || s.cutPart) continue;
    const b = best(s.slot);
    const box = boxes[s.slot];
    if (
      !isDigit[b.k] &&
      b.p >= PRIORS.sureSign &&
      heights[s.slot] <= PRIORS.sureSignHeight &&
      Math.abs(box.y + box.height / 2 - middle) <= PRIORS.sureSignBand * height * map.scale
    )
      signAt[s.from] = 1;
  }
  const holdsSign = (s: Span): boolean => {
    if (s.to - s.from < 2) return false;
    for (let i = s.from; i < s.to; i++) if (signAt[i]) return true;
    return false;
  };
  // An operator is written across the line's middle; a mark the network reads as one near the top or the
  // bottom of the line is more likely a digit's part set apart (a 5's lifted bar, a 2's base).
  const offMiddle = (s: Span): number => {
    const box = boxes[s.slot];
    const off = Math.abs(box.y + box.height / 2 - middle) / (height * map.scale);
    return off > PRIORS.operatorBand ? PRIORS.operatorOffMiddle : 0;
  };
  // A lone glyph the network reads whole (its one span not cut) as not one character is a run of touching
  // characters: its height, which is the line's, may be one character's long tail, so its characters are
  // allowed to stand shorter.
  const rejectedWhole = alone && reject >= 0 && spans.some((s) => !s.cutPart && probs[s.slot][reject] > best(s.slot).p);
  const spanScore = (s: Span): number => {
    const b = best(s.slot);
    // A glyph alone in the picture is cut only into pieces standing nearly the line's full height: a lone
    // digit with a long tail is far more common than a lone touching pair.
    let short = 0;
    if (alone && s.cutPart && heights[s.slot] < READER.alonePairSide) {
      if (!rejectedWhole) return READER.ruledOut;
      short = READER.aloneShortPiece;
    }
    // A glyph alone in the picture is its own measure of height, so the network's word on a lone pair is all
    // there is: the two sides of a touching pair stand the full height and read clearly, which a cut through
    // one character seldom leaves. Each such side earns half a bonus (on longer lines it did not earn its place).
    const tallSide =
      alone && s.cutPart && heights[s.slot] >= PRIORS.tallSide && b.p >= PRIORS.sureSide ? PRIORS.tallPairBonus / 2 : 0;
    return (
      tallSide +
      short +
      Math.log(Math.max(1e-9, b.p)) +
      (isDigit[b.k] ? digitHeightPrior(heights[s.slot]) + (holdsSign(s) ? PRIORS.signInDigit : 0) : offMiddle(s)) +
      s.prior +
      READER.characterPenalty
    );
  };

  // Best reading of the first `at` piece boundaries.
  const n = boundary;
  const score = new Float64Array(n + 1).fill(-Infinity);
  const pick: Array<Span | undefined> = new Array(n + 1);
  score[0] = 0;
  const byStart: Span[][] = Array.from({ length: n + 1 }, () => []);
  for (const s of spans) byStart[s.from].push(s);
  for (let i = 0; i < n; i++) {
    if (score[i] === -Infinity) continue;
    for (const s of byStart[i]) {
      const v = score[i] + spanScore(s);
      if (v > score[s.to]) {
        score[s.to] = v;
        pick[s.to] = s;
      }
    }
  }
  if (score[n] === -Infinity)
    return { ok: false, reason: 'no-ink', message: 'no ink found: no mark in the picture is large enough to read' };

  const chosen: Span[] = [];
  for (let at = n; at > 0;) {
    const s = pick[at];
    if (!s) break;
    chosen.unshift(s);
    at = s.from;
  }
  const describe = (slot: number): string => {
    const b = best(slot);
    return `'${contract.labels[b.k]}' (${b.p.toFixed(2)}${reject >= 0 ? `, not a character ${probs[slot][reject].toFixed(2)}` : ''})`;
  };
  for (const s of chosen) if (s.note) decisions.push(`${s.note}: read ${describe(s.slot)}`);

  const digits: LineDigit[] = chosen.map(({ slot }) => {
    const b = best(slot);
    const box = boxes[slot];
    return {
      digit: contract.labels[b.k],
      probability: b.p,
      box,
      edge: touchesEdge(box, img.width, img.height, map.scale - 1),
      probabilities: probs[slot],
      input: inputs[slot],
      rows: rowShape(crops[slot]),
    };
  });
  return {
    ok: true,
    text: digits.map((d) => d.digit).join(''),
    confidence: digits.reduce((m, d) => Math.min(m, d.probability), 1),
    digits,
    decisions,
  };
}
