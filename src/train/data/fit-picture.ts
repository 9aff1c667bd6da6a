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
import { inkBox } from './ink-box.js';

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
  const b = inkBox(img.data, img.height, img.width, 0);
  if (!b) return null;
  const bw = b.x1 - b.x0 + 1,
    bh = b.y1 - b.y0 + 1;
  const crop = new Float32Array(bw * bh);
  let peak = 0;
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const v = img.data[(b.y0 + y) * img.width + b.x0 + x];
      crop[y * bw + x] = v;
      if (v > peak) peak = v;
    }
  }
  return { box: { x: b.x0, y: b.y0, width: bw, height: bh }, data: crop, peak };
}
