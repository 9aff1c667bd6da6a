/**
 * The fit of a synthesised training picture. Training pictures are drawn on a clean canvas (ink on 0, with
 * no noise, no uneven light and no sheet), so every inked pixel belongs to what was drawn: the picture is
 * cropped to all of its ink and fitted by the readers' own `fitToContract`, as a reader's crop is.
 *
 * It does not go through the readers' ink finder. That finder's rules (specks, marks standing apart, sheet
 * lines) are tuned for photos and scans and change with them; a training set must depend only on its recipe,
 * its seed and this fit, or a committed model stops reproducing whenever the reader is tuned. Every non-zero
 * pixel counts as ink and the strongest is stretched to full scale, so the generators draw no faint haze.
 */
import type { InputContract } from '../../runtime/contract.js';
import { fitToContract, MNIST_BOX_FRACTION, type InkCrop } from '../../runtime/ink/fit.js';
import type { GrayImage } from '../../runtime/ink/image.js';

/**
 * Model input (`contract.height * contract.width` values) for a clean picture whose ink is high on a 0
 * background.
 * @returns null when the picture holds no ink.
 */
export function fitCleanPicture(img: GrayImage, contract: InputContract): Float32Array | null {
  const crop = cropAllInk(img);
  return crop ? fitToContract(crop, contract, MNIST_BOX_FRACTION) : null;
}

/** Every non-zero pixel of `img`, as a tight crop; null when there is none. */
function cropAllInk(img: GrayImage): InkCrop | null {
  const { width: w, height: h, data } = img;
  let x0 = w,
    x1 = -1,
    y0 = h,
    y1 = -1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if (data[y * w + x] === 0) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return null;
  const bw = x1 - x0 + 1,
    bh = y1 - y0 + 1;
  const crop = new Float32Array(bw * bh);
  let peak = 0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const v = data[(y0 + y) * w + x0 + x];
      crop[y * bw + x] = v;
      if (v > peak) peak = v;
    }
  }
  return { box: { x: x0, y: y0, width: bw, height: bh }, data: crop, peak };
}
