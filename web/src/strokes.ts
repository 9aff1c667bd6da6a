/** A point in canvas-relative units: (0,0) top-left, (1,1) bottom-right; points outside are kept and clipped when drawn. */
export interface Point {
  x: number;
  y: number;
}

/**
 * Pen width as a fraction of the pad's side. A digit drawn to fill most of the pad (about 0.7 of its side)
 * is scaled by the preprocessing into MNIST's 20-pixel box, where this width becomes roughly 2.5 pixels:
 * the thickness of MNIST's own strokes, whatever size the host makes the pad.
 */
export const STROKE_WIDTH = 0.09;

/** Draw strokes onto a 2D context of a square-or-not canvas of `width` x `height` pixels. */
export function drawStrokes(
  ctx: CanvasRenderingContext2D,
  strokes: readonly Point[][],
  width: number,
  height: number,
  colour: string,
): void {
  const side = Math.min(width, height);
  ctx.save();
  ctx.strokeStyle = colour;
  ctx.fillStyle = colour;
  ctx.lineWidth = STROKE_WIDTH * side;
  ctx.lineCap = 'round';
  ctx.lineJoin = 'round';
  for (const stroke of strokes) drawStroke(ctx, stroke, width, height);
  ctx.restore();
}

/** Draw the newest segment of a stroke only (the rest is already on the canvas). */
export function drawLastSegment(
  ctx: CanvasRenderingContext2D,
  stroke: readonly Point[],
  width: number,
  height: number,
  colour: string,
): void {
  drawStrokes(ctx, [stroke.slice(-2)], width, height, colour);
}

function drawStroke(ctx: CanvasRenderingContext2D, stroke: readonly Point[], width: number, height: number): void {
  if (stroke.length === 0) return;
  if (stroke.length === 1) {
    // A tap leaves a dot, as a pen would.
    ctx.beginPath();
    ctx.arc(stroke[0].x * width, stroke[0].y * height, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    return;
  }
  ctx.beginPath();
  ctx.moveTo(stroke[0].x * width, stroke[0].y * height);
  for (let i = 1; i < stroke.length; i++) ctx.lineTo(stroke[i].x * width, stroke[i].y * height);
  ctx.stroke();
}
