// Makes the sample pictures `npm start` predicts, from MNIST test digits, the way people photograph or draw
// digits. Deterministic: run `node --import tsx examples/make-examples.ts` to rebuild them byte for byte.
import { writeFileSync } from 'node:fs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { readMnist } from '../src/data/idx.js';
import { invert, pad, scaleUp } from '../test/runtime/helpers/transforms.js';
import type { GrayImage } from '../src/runtime/preprocess.js';

const mnist = await readMnist('test');
const digit = (k: number): GrayImage => ({ width: 28, height: 28, data: mnist.images.slice(k * 784, (k + 1) * 784) });
const dir = new URL('.', import.meta.url).pathname;

function png(img: GrayImage): Buffer {
  const p = new PNG({ width: img.width, height: img.height });
  for (let i = 0; i < img.data.length; i++) p.data.set([img.data[i], img.data[i], img.data[i], 255], 4 * i);
  return PNG.sync.write(p, { colorType: 0 });
}

/** Dark ink on off-white paper with a lighting gradient, grain and a blue-ish pen, as a phone photo. */
function photo(img: GrayImage, w: number, h: number, x: number, y: number): Buffer {
  const big = pad(invert(scaleUp(img, 6)), w, h, x, y, 255);
  const rgba = new Uint8Array(w * h * 4);
  let seed = 12345;
  for (let py = 0; py < h; py++) {
    for (let px = 0; px < w; px++) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      const grain = ((seed >>> 16) % 9) - 4;
      const light = 0.82 + 0.15 * (px / w) - 0.05 * (py / h);
      const ink = 1 - big.data[py * w + px] / 255; // 0 paper .. 1 ink
      const paper = [236 * light, 228 * light, 212 * light];
      const pen = [40, 48, 92];
      const i = 4 * (py * w + px);
      for (let c = 0; c < 3; c++)
        rgba[i + c] = Math.max(0, Math.min(255, Math.round(paper[c] * (1 - ink) + pen[c] * ink + grain)));
      rgba[i + 3] = 255;
    }
  }
  return Buffer.from(jpeg.encode({ data: rgba, width: w, height: h }, 88).data);
}

// index -> label in the MNIST test set: 0 -> 7, 1 -> 2, 4 -> 4, 30 -> 3
writeFileSync(`${dir}mnist-7.png`, png(digit(0)));
writeFileSync(`${dir}dark-on-light-2.png`, png(invert(digit(1))));
writeFileSync(`${dir}off-centre-4.png`, png(pad(digit(4), 120, 90, 80, 6, 0)));
writeFileSync(`${dir}photo-3.jpg`, photo(digit(30), 320, 240, 40, 30));
console.log(`labels: ${[0, 1, 4, 30].map((k) => mnist.labels[k]).join(' ')}`);
