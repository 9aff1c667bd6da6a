/**
 * Training data for a label set beyond the digits: MNIST digits as they are, plus synthesised pictures of
 * each extra symbol (see operator-strokes.ts), generated at training time from (seed, stream, index) so the
 * same seed gives the same pictures on every machine and worker count.
 */
import type { InputContract } from '../../runtime/contract.js';
import type { Split } from './dataset.js';
import {
  OPERATOR_SYMBOLS,
  operatorPicture,
  operatorSeed,
  type OperatorDrawer,
  type OperatorSymbol,
} from './operator-strokes.js';
import { seededRandom } from './rng.js';
import { notCharacterPicture } from './not-character.js';
import { styledDigit } from './digit-styles.js';

/** Seed streams of the synthesised symbols: training, validation and test pictures never share a seed. */
export const SYMBOL_STREAMS = { train: 0, validation: 1, test: 2 } as const;

/** True when `label` is an operator this project can synthesise. */
export function isOperatorSymbol(label: string): label is OperatorSymbol {
  return (OPERATOR_SYMBOLS as readonly string[]).includes(label);
}

/** How the synthesised pictures of a split are drawn. */
export interface SynthesisOptions {
  /** The model's contract: its labels give each symbol's class index, its size the picture size. */
  contract: InputContract;
  /** Symbols to synthesise (labels of the contract). */
  symbols: string[];
  /** Pictures per symbol. */
  perSymbol: number;
  seed: number;
  /** One of {@link SYMBOL_STREAMS} (or any other number for evaluation sets). */
  stream: number;
  /** Stroke model; default the training generator. */
  draw?: OperatorDrawer;
  /** Digits the "not one character" pictures are cut from (the contract's `rejectLabel`); required for it. */
  digits?: Split;
}

/** Seed stream of the styled digits, apart from every symbol stream. */
const STYLED_STREAM = 100;

/**
 * Synthesised pictures alone, symbol-major (`perSymbol` of the first symbol, then the next, ...).
 * @throws Error for a symbol this project cannot draw.
 */
export function synthesizeSymbols(o: SynthesisOptions, shared = false): Split {
  const rows = o.contract.height,
    cols = o.contract.width,
    px = rows * cols;
  const count = o.symbols.length * o.perSymbol;
  const x = new Float32Array(shared ? new SharedArrayBuffer(count * px * 4) : new ArrayBuffer(count * px * 4));
  const y = new Uint8Array(shared ? new SharedArrayBuffer(count) : new ArrayBuffer(count));
  writeSymbols(o, x, y, 0);
  return { x, y, count, rows, cols };
}

function writeSymbols(o: SynthesisOptions, x: Float32Array, y: Uint8Array, first: number): void {
  const px = o.contract.height * o.contract.width;
  const readsOperators = o.contract.labels.some(isOperatorSymbol);
  o.symbols.forEach((symbol, k) => {
    const reject = symbol === o.contract.rejectLabel;
    if (!reject && !isOperatorSymbol(symbol)) throw new Error(`no generator for symbol '${symbol}'`);
    if (reject && !o.digits) throw new Error(`symbol '${symbol}' is cut from digits, and none were given`);
    const label = o.contract.labels.indexOf(symbol);
    if (label < 0) throw new Error(`symbol '${symbol}' is not among the contract's labels`);
    for (let j = 0; j < o.perSymbol; j++) {
      const index = k * o.perSymbol + j;
      const rand = seededRandom(operatorSeed(o.seed, o.stream, index));
      const picture = reject
        ? notCharacterPicture(o.digits!, rand, o.contract, { readsOperators })
        : operatorPicture(symbol as OperatorSymbol, rand, o.contract, o.draw);
      x.set(picture, (first + index) * px);
      y[first + index] = label;
    }
  });
}

/**
 * Write `count` digits of `digits` redrawn in styles MNIST lacks (digit-styles.ts), labelled with their
 * digit, from row `first` on.
 */
function writeStyledDigits(
  digits: Split,
  count: number,
  seed: number,
  contract: InputContract,
  x: Float32Array,
  y: Uint8Array,
  first: number,
): void {
  const px = digits.rows * digits.cols;
  for (let j = 0; j < count; j++) {
    const rand = seededRandom(operatorSeed(seed, STYLED_STREAM, j));
    for (;;) {
      const i = Math.floor(rand() * digits.count);
      const label = digits.y[i];
      const picture = styledDigit(
        digits.x.subarray(i * px, (i + 1) * px),
        digits.rows,
        digits.cols,
        label,
        rand,
        contract,
      );
      if (!picture) continue;
      x.set(picture, (first + j) * px);
      y[first + j] = label;
      break;
    }
  }
}

/**
 * A split with synthesised symbols appended after its own rows: digits first, then `perSymbol` of each
 * symbol, then `styledDigits` of its digits redrawn in other styles (digits must be all `base` holds). The result lives in shared memory when the input does (data-parallel training shares it with
 * the workers instead of copying), so the digits are copied once into a buffer sized for both.
 */
export function withSymbols(base: Split, o: SynthesisOptions, styledDigits = 0): Split {
  const shared = base.x.buffer instanceof SharedArrayBuffer;
  const px = base.rows * base.cols;
  const symbols = o.symbols.length * o.perSymbol;
  const count = base.count + symbols + styledDigits;
  const x = new Float32Array(shared ? new SharedArrayBuffer(count * px * 4) : new ArrayBuffer(count * px * 4));
  const y = new Uint8Array(shared ? new SharedArrayBuffer(count) : new ArrayBuffer(count));
  x.set(base.x.subarray(0, base.count * px));
  y.set(base.y.subarray(0, base.count));
  writeSymbols(o, x, y, base.count);
  if (styledDigits > 0) writeStyledDigits(base, styledDigits, o.seed, o.contract, x, y, base.count + symbols);
  return { x, y, count, rows: base.rows, cols: base.cols };
}
