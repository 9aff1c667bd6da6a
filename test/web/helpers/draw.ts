import type { Page } from 'playwright-core';

/** A straight pen movement in picture pixels (x along a row, y down). */
export interface Segment {
  from: [number, number];
  to: [number, number];
}

/**
 * Turn a grayscale digit into pen strokes a person could have drawn: one horizontal stroke per run of
 * ink pixels in every second row (the widget's pen is wider than one MNIST row, so the rows in between
 * are covered anyway). Coordinates are pixel centres.
 */
export function traceDigit(pixels: Uint8Array, width: number, height: number, threshold = 128): Segment[] {
  const out: Segment[] = [];
  for (let y = 0; y < height; y += 2) {
    let x = 0;
    while (x < width) {
      if (pixels[y * width + x] < threshold) {
        x++;
        continue;
      }
      const start = x;
      while (x < width && pixels[y * width + x] >= threshold) x++;
      out.push({ from: [start + 0.5, y + 0.5], to: [x - 0.5, y + 0.5] });
    }
  }
  return out;
}

/** {@link drawSegmentsOnLine} for a square pad: segments given in a `side` x `side` picture. */
export function drawSegments(
  page: Page,
  selector: string,
  segments: Segment[],
  side: number,
  beforeLastUp?: () => Promise<void>,
): Promise<void> {
  return drawSegmentsOnLine(page, selector, segments, side, side, beforeLastUp);
}

/** A grayscale picture (ink high), one byte per pixel. */
export interface LinePicture {
  data: Uint8Array;
  width: number;
  height: number;
}

/** The columns of a 28x28 digit that hold ink, so digits can be set side by side without MNIST's margins. */
function inkColumns(pixels: Uint8Array, side: number, threshold: number): [number, number] {
  let lo = side,
    hi = -1;
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (pixels[y * side + x] >= threshold) {
        lo = Math.min(lo, x);
        hi = Math.max(hi, x);
      }
    }
  }
  return hi < 0 ? [0, side - 1] : [lo, hi];
}

/**
 * Set 28x28 glyphs (MNIST digits, or drawn symbols) side by side, cropped to their ink columns with `gap`
 * empty columns between them, on a picture with the number pad's aspect (`aspect` times as wide as tall,
 * at least 28 rows); the line is centred. Ink is high (white on black), as in MNIST.
 */
export function composeLine(
  glyphs: Uint8Array[],
  o: { gap?: number; aspect?: number; threshold?: number } = {},
): LinePicture {
  const { gap = 4, aspect = 4, threshold = 128 } = o;
  const crops = glyphs.map((g) => ({ g, cols: inkColumns(g, 28, threshold) }));
  const inkWidth = crops.reduce((w, c) => w + c.cols[1] - c.cols[0] + 1, 0) + gap * (crops.length - 1);
  const height = Math.max(28, Math.ceil((inkWidth + 2 * gap) / aspect));
  const width = height * aspect;
  const data = new Uint8Array(width * height);
  let x0 = Math.floor((width - inkWidth) / 2);
  const y0 = Math.floor((height - 28) / 2);
  for (const { g, cols } of crops) {
    for (let y = 0; y < 28; y++) {
      for (let x = cols[0]; x <= cols[1]; x++) data[(y0 + y) * width + x0 + x - cols[0]] = g[y * 28 + x];
    }
    x0 += cols[1] - cols[0] + 1 + gap;
  }
  return { data, width, height };
}

/**
 * A 28x28 picture of an arithmetic operator drawn with a pen about as thick as MNIST's strokes (2 to 3 px),
 * the size people write operators at: smaller than a digit, centred on the line's middle.
 */
export function operatorGlyph(op: '+' | '-' | '×' | '÷' | '='): Uint8Array {
  const g = new Uint8Array(784);
  const line = (x0: number, y0: number, x1: number, y1: number) => {
    const n = Math.ceil(Math.hypot(x1 - x0, y1 - y0) * 4) + 1;
    for (let i = 0; i < n; i++) {
      const t = n === 1 ? 0 : i / (n - 1);
      const cx = x0 + (x1 - x0) * t,
        cy = y0 + (y1 - y0) * t;
      for (let y = Math.floor(cy - 2); y <= Math.ceil(cy + 2); y++) {
        for (let x = Math.floor(cx - 2); x <= Math.ceil(cx + 2); x++) {
          if (x < 0 || y < 0 || x >= 28 || y >= 28) continue;
          const d = Math.hypot(x - cx, y - cy);
          const v = Math.round(255 * Math.max(0, Math.min(1, 1.8 - d)));
          g[y * 28 + x] = Math.max(g[y * 28 + x], v);
        }
      }
    }
  };
  if (op === '+') {
    line(7, 14, 21, 14);
    line(14, 7, 14, 21);
  }
  if (op === '-') line(7, 14, 21, 14);
  if (op === '=') {
    line(7, 11, 21, 11);
    line(7, 17, 21, 17);
  }
  if (op === '×') {
    line(8, 8, 20, 20);
    line(20, 8, 8, 20);
  }
  if (op === '÷') {
    line(7, 14, 21, 14);
    line(14, 8, 14.5, 8);
    line(14, 20, 14.5, 20);
  }
  return g;
}

/**
 * Draw segments given in a `width` x `height` picture (with the canvas's aspect) onto the element's canvas with
 * real pointer input (playwright's mouse), scaled to the canvas's on-screen size. `beforeLastUp` runs while the
 * pen is still down on the last stroke, to observe live predictions.
 */
export async function drawSegmentsOnLine(
  page: Page,
  selector: string,
  segments: Segment[],
  width: number,
  height: number,
  beforeLastUp?: () => Promise<void>,
): Promise<void> {
  const canvas = page.locator(selector).locator('canvas');
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error(`${selector}: canvas not visible`);
  const at = (p: [number, number]): [number, number] => [
    box.x + (p[0] / width) * box.width,
    box.y + (p[1] / height) * box.height,
  ];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    await page.mouse.move(...at(s.from));
    await page.mouse.down();
    await page.mouse.move(...at(s.to), { steps: 3 });
    if (i === segments.length - 1 && beforeLastUp) await beforeLastUp();
    await page.mouse.up();
  }
}
