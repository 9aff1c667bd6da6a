/**
 * Read one line of handwritten characters (a number) from a grayscale picture: the same ink finding as
 * single-digit preprocessing, the marks grouped into one line of glyphs, and the network's confidence
 * choosing, glyph by glyph, between reading it whole, cutting it in two (touching characters) or joining
 * it with its neighbour (a broken character), weighed with what the glyph's shape says (segment/priors.ts).
 * All candidate crops go to the classifier in one batch, and the best reading of the whole line is found
 * by dynamic programming over the glyphs.
 *
 * Shared code: no Node and no DOM imports; the classifier is a callback, so the CLI, the server and the
 * browser widget each bring their own runtime.
 */
import { isDigitLabel, type InputContract } from './contract.js';
import { findInk } from './ink/find.js';
import { sourceBox, touchesEdge, type InkCrop } from './ink/fit.js';
import type { GrayImage, PixelBox } from './ink/image.js';
import { glyphInput, glyphWidth, type Glyph } from './segment/glyph.js';
import { DEFAULT_MAX_CHARACTERS, findLine, where } from './segment/line.js';
import { rowShape, type RowShape } from './segment/bars.js';
import { mergeCandidate } from './segment/merge.js';
import { cutPrior, digitHeightPrior, sidesPrior, wholePrior } from './segment/priors.js';
import { cutCandidates, cutColumn, splitGlyph, type Cut } from './segment/split.js';

/** Probabilities per input, in `contract.labels` order. */
export type Classifier = (inputs: Float32Array[]) => Promise<Float32Array[]>;

/** One character of a line that was read. */
export interface LineDigit {
  /** The label read (a digit for digit models). */
  digit: string;
  probability: number;
  /** Ink box in source pixels. */
  box: PixelBox;
  /** True when the ink box touches the picture's edge: the character may be cut off. */
  edge: boolean;
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
  /** The model inputs of the characters read, in order (for a debug view). */
  inputs: Float32Array[];
  /** How each character's ink lies in rows, in order (segment/bars.ts): what tells `=` and `÷` from `-`. */
  shapes: RowShape[];
}

/** A picture that is not one readable line; `message` is one line for a person. */
export interface ReadLineRefusal {
  ok: false;
  reason: 'no-ink' | 'too-much-ink' | 'not-one-line' | 'too-many-characters';
  message: string;
}

export type ReadLineResult = ReadLineOk | ReadLineRefusal;

/** Knobs of {@link readLine}. */
export interface ReadLineOptions {
  /** Least ink contrast (0..255) for a picture to count as holding ink. Default 32. */
  minContrast?: number;
  /** Most characters a line may hold. Default 12. */
  maxCharacters?: number;
  /**
   * Leave the character count to the caller: arithmetic rules may still join characters the line reader
   * read apart (the pieces of a `÷`), so the count is checked on their result.
   */
  callerCounts?: boolean;
}

/**
 * Each extra character must buy at least this much log-probability: reading two characters where one
 * would do needs both to be clearly better than the one.
 */
const CHARACTER_PENALTY = Math.log(0.97);

/**
 * A cut whose shape prior is below this log-probability would need the network to prefer its two halves
 * by a factor of hundreds; such cuts are dropped before the batch is classified.
 */
const HOPELESS = -6;

/** Each side of a cut through a glyph alone in the picture stands at least this many character heights. */
const ALONE_PAIR_SIDE = 0.7;

/** The refusal of a line read as more than `max` characters. */
export function tooManyCharacters(read: number, max: number): ReadLineRefusal {
  return {
    ok: false,
    reason: 'too-many-characters',
    message: `too many characters: read ${read} in the line, a line holds at most ${max}`,
  };
}

/** A crop waiting for (or given) the network's reading: its place in the batch. */
interface Option {
  slot: number;
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
  const line = findLine(map, { maxCharacters: options.maxCharacters });
  if (!line.ok) return line;
  const { glyphs, height, decisions } = line;

  // Every crop any choice may need, classified in one batch.
  const inputs: Float32Array[] = [];
  const boxes: PixelBox[] = [];
  // Ink height of each crop in character heights: the shape priors' measure of a piece.
  const heights: number[] = [];
  const crops: InkCrop[] = [];
  const add = (g: Glyph): Option | null => {
    const r = glyphInput(map, g, contract);
    if (!r) return null;
    inputs.push(r.input);
    boxes.push(sourceBox(map, r.crop.box));
    heights.push(r.crop.box.height / height);
    crops.push(r.crop);
    return { slot: inputs.length - 1 };
  };
  const whole = glyphs.map((g) => add(g)!);
  // Cuts the picture already speaks strongly against are not worth the network's time.
  const alone = glyphs.length === 1;
  const worthReading = (g: Glyph) => (c: Cut) => cutPrior(glyphWidth(g) / height, c.cost, alone) > HOPELESS;
  const splits = glyphs.map((g) =>
    cutCandidates(map, g, height)
      .filter(worthReading(g))
      .map((c) => {
        const [l, r] = splitGlyph(g, c);
        const a = add(l),
          b = add(r);
        return a && b ? { cut: cutColumn(c), cost: c.cost, parts: [a, b] } : null;
      })
      .filter((s) => s !== null),
  );
  const merges = glyphs.map((g, i) => {
    if (i + 1 >= glyphs.length) return null;
    const m = mergeCandidate(g, glyphs[i + 1], height);
    return m ? add(m) : null;
  });
  if (inputs.length === 0)
    return { ok: false, reason: 'no-ink', message: 'no ink found: no mark in the picture is large enough to read' };
  const probs = await classify(inputs);

  const best = (slot: number) => {
    const p = probs[slot];
    let k = 0;
    for (let j = 1; j < p.length; j++) if (p[j] > p[k]) k = j;
    return { k, p: p[k] };
  };
  const isDigit = contract.labels.map(isDigitLabel);
  const logp = (slot: number) => {
    const b = best(slot);
    return Math.log(Math.max(1e-9, b.p)) + (isDigit[b.k] ? digitHeightPrior(heights[slot]) : 0);
  };

  // Best reading of the first i glyphs: each glyph read whole or cut in two, or two neighbours joined.
  const n = glyphs.length;
  const score = new Float64Array(n + 1).fill(-Infinity);
  const pick: Array<{ slots: number[]; note?: string; from: number }> = new Array(n + 1);
  score[0] = 0;
  for (let i = 0; i < n; i++) {
    if (score[i] === -Infinity) continue;
    const consider = (to: number, slots: number[], note?: string, prior = 0) => {
      const s = score[i] + prior + slots.reduce((acc, sl) => acc + logp(sl) + CHARACTER_PENALTY, 0);
      if (s > score[to]) {
        score[to] = s;
        pick[to] = { slots, note, from: i };
      }
    };
    // What the picture itself says (width, the ink a cut crosses) weighs in before the network's readings.
    const r = glyphWidth(glyphs[i]) / height;
    consider(i + 1, [whole[i].slot], undefined, wholePrior(r, alone));
    for (const s of splits[i]) {
      // Two digits alone in a picture stand side by side at full height; a lone glyph cut into a digit and a
      // short piece is one digit with a long tail.
      if (alone && Math.min(heights[s.parts[0].slot], heights[s.parts[1].slot]) < ALONE_PAIR_SIDE) continue;
      // Characters touch when digits crowd together; operators are written apart. A cut that leaves an
      // operator on either side has cut the tail or the bar off a digit.
      if (s.parts.some((o) => !isDigit[best(o.slot).k])) continue;
      consider(
        i + 1,
        s.parts.map((o) => o.slot),
        `cut ${where(glyphs[i], map.scale)} near column ${s.cut * map.scale}`,
        cutPrior(r, s.cost, alone) +
          sidesPrior(
            heights[s.parts[0].slot],
            heights[s.parts[1].slot],
            Math.min(best(s.parts[0].slot).p, best(s.parts[1].slot).p),
          ),
      );
    }
    const m = merges[i];
    if (m) consider(i + 2, [m.slot], `joined ${where(glyphs[i], map.scale)} and ${where(glyphs[i + 1], map.scale)}`);
  }

  const chosen: Array<{ slot: number }> = [];
  const notes: string[] = [];
  for (let at = n; at > 0; at = pick[at].from) {
    const p = pick[at];
    chosen.unshift(...p.slots.map((slot) => ({ slot })));
    if (p.note)
      notes.unshift(`${p.note}: read ${p.slots.map((sl) => describe(sl)).join(' ')} over ${alternative(p, at)}`);
  }
  decisions.push(...notes);

  function describe(slot: number): string {
    const b = best(slot);
    return `'${contract.labels[b.k]}' (${b.p.toFixed(2)})`;
  }
  function alternative(p: { slots: number[]; from: number }, at: number): string {
    if (at - p.from === 2) return `${describe(whole[p.from].slot)} ${describe(whole[p.from + 1].slot)} apart`;
    return `${describe(whole[p.from].slot)} whole`;
  }

  const maxCharacters = options.maxCharacters ?? DEFAULT_MAX_CHARACTERS;
  if (!options.callerCounts && chosen.length > maxCharacters) return tooManyCharacters(chosen.length, maxCharacters);
  const digits: LineDigit[] = chosen.map(({ slot }) => {
    const b = best(slot);
    const box = boxes[slot];
    return {
      digit: contract.labels[b.k],
      probability: b.p,
      box,
      edge: touchesEdge(box, img.width, img.height, map.scale - 1),
    };
  });
  return {
    ok: true,
    text: digits.map((d) => d.digit).join(''),
    confidence: digits.reduce((m, d) => Math.min(m, d.probability), 1),
    digits,
    decisions,
    inputs: chosen.map(({ slot }) => inputs[slot]),
    shapes: chosen.map(({ slot }) => rowShape(crops[slot])),
  };
}
