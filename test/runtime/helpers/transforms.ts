// Picture transforms for the robustness checks (tests and bench): what real users do to a digit.
import type { GrayImage } from '../../../src/runtime/preprocess.js';

/** Dark ink on light paper: 255 - v. */
export function invert(img: GrayImage): GrayImage {
  return { width: img.width, height: img.height, data: Uint8Array.from(img.data, (v) => 255 - v) };
}

/** Put `img` at (x, y) in a `w` x `h` canvas filled with `fill`. */
export function pad(img: GrayImage, w: number, h: number, x: number, y: number, fill: number): GrayImage {
  const data = new Uint8Array(w * h).fill(fill);
  for (let r = 0; r < img.height; r++) data.set(img.data.subarray(r * img.width, (r + 1) * img.width), (y + r) * w + x);
  return { width: w, height: h, data };
}

/** Enlarge by an integer factor with bilinear interpolation (as a scanned or photographed digit would be smooth). */
export function scaleUp(img: GrayImage, f: number): GrayImage {
  const w = img.width * f,
    h = img.height * f;
  const data = new Uint8Array(w * h);
  const at = (x: number, y: number) =>
    img.data[Math.min(img.height - 1, Math.max(0, y)) * img.width + Math.min(img.width - 1, Math.max(0, x))];
  for (let y = 0; y < h; y++) {
    const sy = (y + 0.5) / f - 0.5,
      y0 = Math.floor(sy),
      fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = (x + 0.5) / f - 0.5,
        x0 = Math.floor(sx),
        fx = sx - x0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      data[y * w + x] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return { width: w, height: h, data };
}

/** The three robustness variants of one MNIST digit, as the issue names them. */
export function robustnessVariants(img: GrayImage, k: number): Record<'inverted' | 'padded' | 'scaled', GrayImage> {
  return {
    inverted: invert(img),
    // off-centre in a larger canvas, position varying with the index
    padded: pad(img, 96, 80, 3 + ((k * 7) % 60), 2 + ((k * 11) % 48), 0),
    scaled: scaleUp(img, 4),
  };
}
