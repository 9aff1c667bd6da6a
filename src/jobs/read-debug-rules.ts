/**
 * The lines of a sheet or a form that the reader took out of a picture (ink/rules.ts), drawn over it in the
 * debug picture of `read --debug-dir`, so what was removed can be seen beside what was read.
 */
import type { RuledLine } from '../runtime/ink/rules.js';

/** Colour of a removed line: blue, apart from the red boxes of the characters read. */
const RULE_COLOUR = [30, 140, 235];

/** Draw each of `rules` (source pixels) along its course and at its thickness with `put`. */
export function drawRules(put: (x: number, y: number, colour: number[]) => void, rules: readonly RuledLine[]): void {
  for (const l of rules) {
    const steps = Math.ceil(Math.max(Math.abs(l.x1 - l.x0), Math.abs(l.y1 - l.y0)));
    const half = Math.floor(Math.max(1, l.thickness) / 2);
    for (let i = 0; i <= steps; i++) {
      const t = steps > 0 ? i / steps : 0;
      const x = Math.round(l.x0 + t * (l.x1 - l.x0)),
        y = Math.round(l.y0 + t * (l.y1 - l.y0));
      for (let d = -half; d <= half; d++) {
        if (l.orientation === 'horizontal') put(x, y + d, RULE_COLOUR);
        else put(x + d, y, RULE_COLOUR);
      }
    }
  }
}
