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
      if (pixels[y * width + x] < threshold) { x++; continue; }
      const start = x;
      while (x < width && pixels[y * width + x] >= threshold) x++;
      out.push({ from: [start + 0.5, y + 0.5], to: [x - 0.5, y + 0.5] });
    }
  }
  return out;
}

/**
 * Draw segments given in a `side` x `side` picture onto the element's canvas with real pointer input
 * (playwright's mouse), scaled to the canvas's on-screen size. `beforeLastUp` runs while the pen is still
 * down on the last stroke, to observe live predictions.
 */
export async function drawSegments(page: Page, selector: string, segments: Segment[], side: number,
  beforeLastUp?: () => Promise<void>): Promise<void> {
  const canvas = page.locator(selector).locator('canvas');
  // The mouse only reaches what is inside the viewport.
  await canvas.scrollIntoViewIfNeeded();
  const box = await canvas.boundingBox();
  if (!box) throw new Error(`${selector}: canvas not visible`);
  const at = (p: [number, number]): [number, number] => [box.x + (p[0] / side) * box.width, box.y + (p[1] / side) * box.height];
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    await page.mouse.move(...at(s.from));
    await page.mouse.down();
    await page.mouse.move(...at(s.to), { steps: 3 });
    if (i === segments.length - 1 && beforeLastUp) await beforeLastUp();
    await page.mouse.up();
  }
}
