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
}

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
  o.symbols.forEach((symbol, k) => {
    if (!isOperatorSymbol(symbol)) throw new Error(`no generator for symbol '${symbol}'`);
    const label = o.contract.labels.indexOf(symbol);
    if (label < 0) throw new Error(`symbol '${symbol}' is not among the contract's labels`);
    for (let j = 0; j < o.perSymbol; j++) {
      const index = k * o.perSymbol + j;
      const picture = operatorPicture(symbol, seededRandom(operatorSeed(o.seed, o.stream, index)), o.contract, o.draw);
      x.set(picture, (first + index) * px);
      y[first + index] = label;
    }
  });
}

/**
 * A split with synthesised symbols appended after its own rows: digits first, then `perSymbol` of each
 * symbol. The result lives in shared memory when the input does (data-parallel training shares it with
 * the workers instead of copying), so the digits are copied once into a buffer sized for both.
 */
export function withSymbols(base: Split, o: SynthesisOptions): Split {
  const shared = base.x.buffer instanceof SharedArrayBuffer;
  const px = base.rows * base.cols;
  const count = base.count + o.symbols.length * o.perSymbol;
  const x = new Float32Array(shared ? new SharedArrayBuffer(count * px * 4) : new ArrayBuffer(count * px * 4));
  const y = new Uint8Array(shared ? new SharedArrayBuffer(count) : new ArrayBuffer(count));
  x.set(base.x.subarray(0, base.count * px));
  y.set(base.y.subarray(0, base.count));
  writeSymbols(o, x, y, base.count);
  return { x, y, count, rows: base.rows, cols: base.cols };
}
