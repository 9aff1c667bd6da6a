/** The reading drawn over the ink in number and expression modes: one box and one tag per character. */
import { percent } from './bars.js';
import type { LineCharacter } from './line-reading.js';

/** Characters read with less probability than this get a dashed box: the visitor should look twice. */
const UNSURE_BELOW = 0.6;

/** Colours of the overlay, from the widget's custom properties. */
export interface OverlayColours {
  accent: string;
  error: string;
  tagText: string;
}

/**
 * Draw each character's box and its reading (label and probability) onto a canvas of `width` x `height`
 * pixels; boxes are given in a picture of `size` pixels covering the same area (the hidden ink canvas).
 */
export function drawReading(
  ctx: CanvasRenderingContext2D,
  digits: readonly LineCharacter[],
  size: { width: number; height: number },
  width: number,
  height: number,
  colours: OverlayColours,
): void {
  const sx = width / size.width,
    sy = height / size.height;
  // Sized from the pad's height so the tags keep their proportion to the writing at any size.
  const font = Math.max(10, Math.round(height * 0.11));
  const line = Math.max(1, Math.round(height * 0.012));
  ctx.save();
  ctx.font = `600 ${font}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  for (const d of digits) {
    const unsure = d.probability < UNSURE_BELOW;
    const colour = unsure ? colours.error : colours.accent;
    const x = d.box.x * sx,
      y = d.box.y * sy,
      w = d.box.width * sx,
      h = d.box.height * sy;
    ctx.strokeStyle = colour;
    ctx.lineWidth = line;
    ctx.setLineDash(unsure ? [4 * line, 3 * line] : []);
    ctx.strokeRect(x, y, w, h);
    const tag = `${d.digit} ${percent(d.probability)}`;
    const pad = Math.round(font * 0.25);
    const tw = ctx.measureText(tag).width + 2 * pad,
      th = font + 2 * pad;
    // Above the box when there is room, else below it; never past the canvas's sides.
    const ty = y - th - line >= 0 ? y - th - line : Math.min(height - th, y + h + line);
    const tx = Math.max(0, Math.min(width - tw, x));
    ctx.fillStyle = colour;
    ctx.fillRect(tx, ty, tw, th);
    ctx.fillStyle = colours.tagText;
    ctx.fillText(tag, tx + pad, ty + pad);
  }
  ctx.restore();
}
