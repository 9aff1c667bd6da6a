// Writing characters one after another on a baseline: each placed by its own ink so that the gap to what is
// already written is the one drawn (negative: the two inks run into each other).
import { INK, type DigitPatch } from './digit.js';

/** A character placed on the line: its patch, and where its top-left lands (line coordinates). */
export interface Placed {
  patch: DigitPatch;
  x: number;
  y: number;
}

/** Rows of a line's working area, above and below the baseline, in character heights. */
const ABOVE = 2.5,
  BELOW = 2.5;

/** Characters written on one baseline, left to right. */
export class LineWriter {
  readonly placed: Placed[] = [];
  /** Per working row, the rightmost ink column written so far (-Infinity where none). */
  private right: Float64Array;
  private top: number;
  private cursor = 0;

  constructor(private readonly height: number) {
    const rows = Math.ceil((ABOVE + BELOW) * height);
    this.right = new Float64Array(rows).fill(-Infinity);
    this.top = Math.ceil(ABOVE * height);
  }

  /**
   * Write `patch` with its baseline `lift` pixels above the line's (negative: below), `gap` pixels of clear
   * paper from the ink already written in the rows both share (negative: overlapping by that much); or, given
   * `centre`, with its ink centred on that column (a character written into a box of its own).
   */
  write(patch: DigitPatch, gap: number, lift: number, centre?: number): Placed {
    const y = this.top - lift - patch.base;
    let x: number;
    let need = -Infinity;
    for (let py = patch.y0; py <= patch.y1; py++) {
      const row = Math.round(y) + py;
      if (row < 0 || row >= this.right.length || this.right[row] === -Infinity) continue;
      let left = -1;
      for (let px = patch.x0; px <= patch.x1; px++)
        if (patch.data[py * patch.width + px] >= INK) {
          left = px;
          break;
        }
      if (left >= 0) need = Math.max(need, this.right[row] + 1 + gap - left);
    }
    if (centre !== undefined) x = centre - (patch.x0 + patch.x1 + 1) / 2;
    else if (this.placed.length === 0) x = -patch.x0;
    else x = need === -Infinity ? this.cursor + gap - patch.x0 : need;
    x = Math.round(x);
    for (let py = patch.y0; py <= patch.y1; py++) {
      const row = Math.round(y) + py;
      if (row < 0 || row >= this.right.length) continue;
      for (let px = patch.x1; px >= patch.x0; px--)
        if (patch.data[py * patch.width + px] >= INK) {
          this.right[row] = Math.max(this.right[row], x + px);
          break;
        }
    }
    this.cursor = Math.max(this.cursor, x + patch.x1 + 1);
    const p = { patch, x, y: Math.round(y) };
    this.placed.push(p);
    return p;
  }

  /** The ink box of everything written, in line coordinates, and the baseline's row. */
  bounds(): { x0: number; y0: number; x1: number; y1: number; baseline: number } {
    let x0 = Infinity,
      y0 = Infinity,
      x1 = -Infinity,
      y1 = -Infinity;
    for (const { patch, x, y } of this.placed) {
      x0 = Math.min(x0, x + patch.x0);
      y0 = Math.min(y0, y + patch.y0);
      x1 = Math.max(x1, x + patch.x1);
      y1 = Math.max(y1, y + patch.y1);
    }
    return { x0, y0, x1, y1, baseline: this.top };
  }
}
